"""A leader's journey: log in, see the district's charts drawn, drill down to a street and a community, print;
and the city's leader, from the city down to one community."""

import pytest
from django.core.management import call_command

from accounts.models import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)
CHARTS = 9  # with the 12-month reporting rates


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
    assert "章丘区" in page.inner_text("h1")
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
    assert "章丘区" in crumbs and street in crumbs
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


def test_the_city_leader_drills_from_the_city_to_one_community(guarded_page, live_server, shoot):
    from tests.factories import CadreFactory, CommunityFactory, DistrictFactory, StreetFactory

    call_command("seed_demo", scale="tiny", verbosity=0)
    other = DistrictFactory(name="历下区", code="370102")
    CadreFactory.create_batch(3, community=CommunityFactory(street=StreetFactory(district=other, code="370102001")))
    user = make_user(Role.LEADER, city=True, username="shiwei")
    user.set_password("Correct-Horse-42")
    user.save()
    page = guarded_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", "shiwei")
    page.fill("#id_password", "Correct-Horse-42")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    _charts_drawn(page)
    assert "全市" in page.inner_text("h1")
    assert page.locator("a.drill").all_inner_texts() == ["历下区", "章丘区"]  # by code
    shoot(page, "16-dashboard-city")
    page.click("a.drill >> text=章丘区")
    page.wait_for_url("**/dashboard/?district=*")
    _charts_drawn(page)
    assert page.inner_text(".crumbs strong") == "章丘区"
    page.click("a.drill >> nth=0")
    page.wait_for_url("**/dashboard/?street=*")
    street = page.inner_text(".crumbs strong")
    page.click("a.drill >> nth=0")
    page.wait_for_url("**/dashboard/?community=*")
    _charts_drawn(page)
    crumbs = page.inner_text(".crumbs")
    assert crumbs.startswith("全市") and "章丘区" in crumbs and street in crumbs
    shoot(page, "17-dashboard-city-to-community")
    page.click(".crumbs a >> text=全市")  # and back up in one tap
    page.wait_for_url(f"{live_server.url}/dashboard/?month=*")
    assert page.locator("a.drill").count() == 2
