"""A leader's journey: log in, see the district's charts drawn, drill down to a street and a community, print."""

import pytest
from django.core.management import call_command

from accounts.models import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)
CHARTS = 8


@pytest.fixture
def leader():
    call_command("seed_demo", scale="tiny", verbosity=0)
    user = make_user(Role.LEADER, username="lingdao")
    user.first_name = "王局长"
    user.set_password("Correct-Horse-42")
    user.save()
    return user


def _charts_drawn(page):
    page.wait_for_function(f"document.querySelectorAll('.chart-box svg').length === {CHARTS}", timeout=15_000)
    drawn = page.eval_on_selector_all(".chart-box", "boxes => boxes.map(b => b.querySelectorAll('svg path').length)")
    assert len(drawn) == CHARTS and all(count > 0 for count in drawn), drawn


def test_the_leader_reads_the_charts_and_drills_down(guarded_page, live_server, leader, shoot):
    page = guarded_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", "lingdao")
    page.fill("#id_password", "Correct-Horse-42")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    _charts_drawn(page)
    assert "全区" in page.inner_text("h1")
    shoot(page, "11-dashboard-district")
    # on a phone the streets' table comes right after the headline figures (it was 6,000 px down)
    page.set_viewport_size({"width": 390, "height": 844})
    top = page.evaluate("document.querySelector('a.drill').getBoundingClientRect().top + window.scrollY")
    assert top < 2500, top
    shoot(page, "11b-dashboard-district-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.click("a.drill >> nth=0")  # the first street
    page.wait_for_url("**/dashboard/?street=*")
    _charts_drawn(page)
    street = page.inner_text(".crumbs strong")
    shoot(page, "12-dashboard-street")

    page.click("a.drill >> nth=0")  # its first community
    page.wait_for_url("**/dashboard/?community=*")
    _charts_drawn(page)
    crumbs = page.inner_text(".crumbs")
    assert "全区" in crumbs and street in crumbs
    assert page.locator("a.drill").count() == 0  # nothing below a community
    shoot(page, "13-dashboard-community")

    page.set_viewport_size({"width": 390, "height": 844})  # the same page on a phone
    page.wait_for_timeout(300)
    shoot(page, "14-dashboard-phone")
    from tests.e2e.test_accessibility import _small_targets

    assert not _small_targets(page), _small_targets(page)  # a leader's thumb too

    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.wait_for_timeout(300)
    assert not page.locator("form.period").is_visible()
    shoot(page, "15-dashboard-print")
