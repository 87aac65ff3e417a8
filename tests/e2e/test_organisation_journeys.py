"""The organisation in the browser: a liaison signs in a member whose branch is another unit's (居住地报到),
and a unit's staff book a room in a community and read the community's answer."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Role
from activities.models import Activity, RoomRequest, SignIn
from cadres.members import register
from cadres.models import BranchMembership
from tests.conftest import make_user
from tests.e2e.conftest import wait_for_sign_in_page
from tests.factories import (
    ActivityFactory,
    BranchMembershipFactory,
    CadreFactory,
    CommunityFactory,
    PartyBranchFactory,
    UnitFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Correct-Horse-42"


@pytest.fixture
def two_communities():
    """区教育局's branch meets in 绣水社区; 李秀英, its retiree, lives in 杨南社区 and has reported there."""
    host, lives = CommunityFactory(name="绣水社区"), CommunityFactory(name="杨南社区")
    unit = UnitFactory(name="区教育局")
    branch = PartyBranchFactory(community=host, owner=unit, name="区教育局离退休干部党支部")
    cadre = CadreFactory(community=lives, former_unit=unit, name="李秀英")
    BranchMembershipFactory(branch=branch, cadre=cadre, relation=BranchMembership.Relation.HELD)
    register(cadre=cadre, on=timezone.localdate() - datetime.timedelta(days=30))
    for username, role, place in (
        ("liaison", Role.COMMUNITY, {"community": lives}),
        ("danwei", Role.UNIT, {"unit": unit}),
    ):
        user = make_user(role, username=username, **place)
        user.set_password(PASSWORD)
        user.save()
    return host, lives, unit, branch, cadre


def _log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")


def test_a_liaison_finds_a_registered_member_of_another_unit_and_signs_them_in(
    guarded_page, live_server, two_communities, shoot
):
    host, lives, unit, branch, cadre = two_communities
    now = timezone.now()
    activity = ActivityFactory(
        community=lives,
        venue=VenueFactory(community=lives, name="杨南党员活动室"),
        title="社区党员冬训",
        starts_at=now - datetime.timedelta(minutes=20),
        ends_at=now + datetime.timedelta(minutes=90),
    )
    page = guarded_page
    _log_in(page, live_server, "liaison")
    page.wait_for_url(f"{live_server.url}/worker/")
    page.click("text=党员管理")
    page.click("a:has-text('已报到')")
    row = page.locator(".row", has_text="李秀英")
    row.wait_for()
    assert "区教育局" in row.inner_text()
    shoot(page, "40-registered-members")

    page.goto(f"{live_server.url}/worker/activities/{activity.pk}/")
    wait_for_sign_in_page(page)
    page.fill("#search", "李秀英")
    page.locator("button[data-name='李秀英']").click()
    page.wait_for_selector(".result.signed:has-text('李秀英') >> text=已签到")
    shoot(page, "41-registered-member-signed-in")
    assert SignIn.objects.get(activity=activity).cadre == cadre


def test_unit_staff_book_a_room_in_a_community_and_see_the_answer(guarded_page, live_server, two_communities, shoot):
    host, lives, unit, branch, cadre = two_communities
    venue = VenueFactory(community=lives, name="杨南党员活动室", capacity=40)
    page = guarded_page
    _log_in(page, live_server, "danwei")
    page.wait_for_url(f"{live_server.url}/worker/unit/")
    assert "李秀英" in page.inner_text("main")  # their retiree, who lives in another community
    shoot(page, "42-unit-home")

    page.click("main a:has-text('找场地')")
    page.click("a:has-text('下一周')")
    card = page.locator("section.card", has_text="杨南党员活动室")
    card.locator("a:has-text('空闲，申请')").first.click()
    page.fill("#id_title", "主题党日：学习全会精神")
    page.fill("#id_people", "25")
    shoot(page, "43-room-request")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=请等待答复")
    request = RoomRequest.objects.get()
    assert (request.venue, request.branch, request.status) == (venue, branch, RoomRequest.Status.PENDING)

    # the host community's liaison declines one time and the unit reads why
    host_page = page.context.browser.new_page(viewport={"width": 390, "height": 844})
    _log_in(host_page, live_server, "liaison")
    host_page.goto(f"{live_server.url}/worker/rooms/requests/")
    host_page.fill(f"#reason-{request.pk}", "当天上午社区有体检")
    host_page.click("button:has-text('不同意')")
    host_page.wait_for_selector("text=已答复区教育局离退休干部党支部")
    shoot(host_page, "44-host-declines")
    host_page.close()

    page.goto(f"{live_server.url}/worker/rooms/requests/")
    page.wait_for_selector("text=当天上午社区有体检")
    shoot(page, "45-unit-reads-the-answer")
    assert not Activity.objects.filter(organiser_branch=branch).exists()
