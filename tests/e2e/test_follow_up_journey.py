"""送学上门 in the browser: the liaison opens the list of who missed the branch's 主题党日, records the follow-up
of one member by phone, and the list shows it done and the branch's completion going up; axe-core finds no
serious violation on the list and the form."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Role
from activities.models import Activity, FollowUp, SignIn
from tests.conftest import make_user
from tests.e2e.test_accessibility import _serious
from tests.factories import BranchMembershipFactory, CommunityFactory, PartyBranchFactory, VenueFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def branch_day():
    community = CommunityFactory(name="桃花山社区")
    branch = PartyBranchFactory(community=community, name="桃花山第一支部")
    members = {
        name: BranchMembershipFactory(branch=branch, cadre__name=name).cadre
        for name in ("王建国", "李秀英", "张伟", "赵缺席")
    }
    starts = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=26)
    activity = Activity.objects.create(
        community=community,
        venue=VenueFactory(community=community),
        kind=Activity.Kind.PARTY_DAY,
        organiser_branch=branch,
        title="主题党日：学习党章",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
    )
    for name in ("王建国", "李秀英", "张伟"):
        SignIn.objects.create(activity=activity, cadre=members[name])
    worker = make_user(Role.COMMUNITY, community=community, username="liaison")
    worker.set_password("Correct-Horse-42")
    worker.save()
    return activity, members["赵缺席"]


def test_a_follow_up_is_recorded_from_the_absence_list(guarded_page, live_server, branch_day, shoot):
    activity, absent = branch_day
    page = guarded_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", "liaison")
    page.fill("#id_password", "Correct-Horse-42")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/worker/")
    page.click("text=送学上门")  # the worker's home says how many are waiting
    month = timezone.localtime(activity.starts_at).strftime("%Y-%m")
    if month != timezone.localdate().strftime("%Y-%m"):
        page.goto(f"{live_server.url}/worker/absences/?month={month}")
    page.wait_for_selector("text=还有 1 人次待跟进")
    assert not _serious(page), "absence list"
    shoot(page, "30-absence-list")

    page.click("text=赵缺席 · 记录跟进")
    page.wait_for_selector("h1:has-text('记录送学上门')")
    assert not _serious(page), "follow-up form"
    page.check("input[name=how][value=phone]")
    page.fill("#id_note", "电话讲了主题党日的内容，下周送学习材料。")
    shoot(page, "31-follow-up-form")
    page.click("main button[type=submit]")

    page.wait_for_selector("text=本月的缺席都已跟进" if month == timezone.localdate().strftime("%Y-%m") else ".done")
    assert page.locator(f"#activity-{activity.pk} li:has-text('赵缺席') .done").inner_text().startswith("✓ 电话")
    follow_up = FollowUp.objects.get()
    assert (follow_up.cadre, follow_up.how, follow_up.done_on) == (absent, "phone", timezone.localdate())
    assert "1/1" in page.inner_text("table.data")  # the branch's follow-ups: 1 of 1
    shoot(page, "32-absence-followed-up")


def test_marking_a_member_bedridden_from_today_leaves_yesterdays_absence_counted(
    guarded_page, live_server, branch_day, shoot
):
    """On the member's page the liaison marks 赵缺席 bedridden from today: the page lists it with its date, and
    the branch day of yesterday still counts them absent (the excuse holds from today, not before)."""
    activity, absent = branch_day
    page = guarded_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", "liaison")
    page.fill("#id_password", "Correct-Horse-42")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/worker/")
    page.goto(f"{live_server.url}/worker/cadres/{absent.pk}/")
    form = page.locator("form[action$='/attendance/']")
    assert form.locator("#id_on").input_value() == timezone.localdate().isoformat()  # from today, unless changed
    form.locator("#id_attendance").select_option("bedridden")
    shoot(page, "33-attendance-form")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=已更新赵缺席参加组织生活的情况")
    today = timezone.localdate().isoformat()
    assert page.locator(f"li:has-text('卧床/行动不便'):has-text('{today} 起')").inner_text().endswith("至今")
    assert not _serious(page), "member page with its dated excuse"
    shoot(page, "34-attendance-dated")

    month = timezone.localtime(activity.starts_at).strftime("%Y-%m")
    page.goto(f"{live_server.url}/worker/absences/?month={month}")
    row = page.locator(f"#activity-{activity.pk} li:has-text('赵缺席')")
    row.wait_for()
    assert row.locator(".badge").count() == 0  # yesterday they were expected, and missed it
    assert "（3/4）" in page.inner_text("table.data")  # three of the four expected came
