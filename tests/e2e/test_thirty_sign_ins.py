"""Thirty members arrive at a 主题党日: the liaison signs each in with two actions — type the last four digits
of the phone (or the pinyin initials), tap 签到 — and the book says 30. The elapsed time is written to
var/screenshots/thirty-sign-ins.txt for the closing note (measured, never asserted: timing belongs to the
benchmark, not to the test)."""

import datetime
import time

import pytest
from django.utils import timezone

from accounts.models import Role
from activities.models import SignIn
from tests.conftest import make_user
from tests.e2e.conftest import SCREENSHOTS, wait_for_sign_in_page
from tests.factories import ActivityFactory, CadreFactory, CommunityFactory, VenueFactory

pytestmark = pytest.mark.django_db(transaction=True)

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧"
GIVEN = ["建国", "秀英", "志强", "桂兰", "德明", "玉珍", "国华", "淑芬", "春生", "凤英"]


@pytest.fixture
def branch_day():
    community = CommunityFactory(name="桃花山社区")
    people = [
        CadreFactory(community=community, name=SURNAMES[n] + GIVEN[n % len(GIVEN)], phone=f"1380000{4000 + n}")
        for n in range(30)
    ]
    for n in range(60):  # the rest of the community, who do not come today
        CadreFactory(community=community, phone=f"1390000{5000 + n}")
    worker = make_user(Role.COMMUNITY, community=community, username="liaison")
    worker.set_password("Correct-Horse-42")
    worker.save()
    now = timezone.now().replace(microsecond=0)
    activity = ActivityFactory(
        community=community,
        venue=VenueFactory(community=community),
        title="十二月主题党日",
        starts_at=now - datetime.timedelta(minutes=10),
        ends_at=now + datetime.timedelta(minutes=110),
    )
    return activity, people


def test_thirty_members_signed_in_with_two_actions_each(guarded_page, live_server, branch_day, shoot):
    activity, people = branch_day
    page = guarded_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", "liaison")
    page.fill("#id_password", "Correct-Horse-42")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/worker/")
    page.goto(f"{live_server.url}/worker/activities/{activity.pk}/")
    wait_for_sign_in_page(page)

    actions = 0
    started = time.monotonic()
    for n, cadre in enumerate(people):
        page.fill("#search", cadre.phone[-4:])  # action 1: the last four digits of the phone
        button = page.locator(f"#results button[data-name='{cadre.name}']")
        button.click()  # action 2: tap 签到
        actions += 2
        page.wait_for_selector(f"#signed-count:text-is('{n + 1}')")
    elapsed = time.monotonic() - started

    assert SignIn.objects.filter(activity=activity).count() == 30
    assert actions == 60  # two per person, nothing else: no confirmation, no page change
    assert page.evaluate("document.activeElement.id") == "search"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "thirty-sign-ins.txt").write_text(
        f"30 sign-ins, {actions} actions ({actions / 30:.0f} per person), scripted {elapsed:.1f} s\n"
    )
    shoot(page, "40-thirty-signed-in")
