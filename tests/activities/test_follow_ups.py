"""送学上门: the members who missed a branch's monthly activity, their follow-ups, and the two rates —
the worker's list and the figures agree, on SQLite and PostgreSQL alike."""

import datetime

import pytest
from django.utils import timezone

from activities.absences import absences_of, branch_activities, by_branch
from activities.models import Activity, FollowUp
from cadres.models import Attendance, MobileMember
from core.dates import Period, local_midnight
from core.scope import Scope
from portal.figures import figures
from tests.factories import (
    ActivityFactory,
    AttendanceExcuseFactory,
    BranchMembershipFactory,
    CadreFactory,
    CommunityFactory,
    PartyBranchFactory,
    SignInFactory,
)

pytestmark = pytest.mark.django_db


def _earlier_this_month():
    """A moment already past in the current local month (the first hour of the 1st has no earlier one)."""
    now = timezone.localtime()
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return max(start, now - datetime.timedelta(days=2)) if now - start > datetime.timedelta(hours=1) else None


@pytest.fixture
def branch_day(community):
    """A 主题党日 of a branch of six: three came, one is bedridden, two just missed it."""
    starts = _earlier_this_month()
    if starts is None:
        pytest.skip("the first hour of a month has no past activity in it")
    branch = PartyBranchFactory(community=community, name="桃花山第一支部")
    names = ["王建国", "李秀英", "张伟", "刘芳", "陈卧床", "赵缺席"]
    members = {name: BranchMembershipFactory(branch=branch, cadre__name=name).cadre for name in names}
    AttendanceExcuseFactory(cadre=members["陈卧床"], reason=Attendance.BEDRIDDEN, starts_on=datetime.date(2020, 1, 1))
    activity = ActivityFactory(
        community=community,
        kind=Activity.Kind.PARTY_DAY,
        organiser_branch=branch,
        title="十二月主题党日",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
    )
    for name in ("王建国", "李秀英", "张伟"):
        SignInFactory(activity=activity, cadre=members[name])
    return activity, members


def test_the_liaison_sees_who_missed_the_branch_day_and_records_a_follow_up(client, community_user, branch_day):
    activity, members = branch_day
    client.force_login(community_user)
    month = timezone.localtime(activity.starts_at).strftime("%Y-%m")
    page = client.get(f"/worker/absences/?month={month}").content.decode()
    assert "十二月主题党日" in page
    for name in ("刘芳", "陈卧床", "赵缺席"):
        assert name in page
    assert "王建国" not in page  # signed in
    assert "卧床/行动不便" in page
    assert "60.0%" in page  # 3 of the 5 expected (the bedridden member is not counted absent)
    assert "还有 3 人次待跟进" in page

    form = client.get(f"/worker/absences/{activity.pk}/{members['刘芳'].pk}/")
    assert form.status_code == 200 and "送学上门" in form.content.decode()
    response = client.post(
        f"/worker/absences/{activity.pk}/{members['刘芳'].pk}/",
        {"how": "phone", "done_on": timezone.localdate().isoformat(), "note": "电话传达了党日内容"},
    )
    assert response.status_code == 302 and f"#activity-{activity.pk}" in response["Location"]
    follow_up = FollowUp.objects.get()
    assert (follow_up.cadre, follow_up.how, follow_up.recorded_by) == (members["刘芳"], "phone", community_user)
    page = client.get(response["Location"]).content.decode()
    assert "电话传达" in page and "还有 2 人次待跟进" in page and "1/3" in page


def test_a_follow_up_is_refused_with_the_reason(client, community_user, branch_day):
    activity, members = branch_day
    client.force_login(community_user)
    today = timezone.localdate().isoformat()
    url = f"/worker/absences/{activity.pk}/{members['王建国'].pk}/"
    page = client.post(url, {"how": "home", "done_on": today}).content.decode()
    assert "已经签到" in page  # came to the activity: nothing to follow up
    outsider = CadreFactory(community=activity.community)
    page = client.post(f"/worker/absences/{activity.pk}/{outsider.pk}/", {"how": "home", "done_on": today})
    assert "不是组织这次活动的支部的成员" in page.content.decode()
    url = f"/worker/absences/{activity.pk}/{members['赵缺席'].pk}/"
    client.post(url, {"how": "home", "done_on": today})
    assert "已经跟进过了" in client.post(url, {"how": "online", "done_on": today}).content.decode()
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert "error" in client.post(url, {"how": "home", "done_on": tomorrow}).content.decode()
    assert FollowUp.objects.count() == 1


def test_another_community_cannot_see_or_record(client, stranger, branch_day):
    activity, members = branch_day
    client.force_login(stranger)
    assert client.get(f"/worker/absences/{activity.pk}/{members['刘芳'].pk}/").status_code == 404
    month = timezone.localtime(activity.starts_at).strftime("%Y-%m")
    assert "十二月主题党日" not in client.get(f"/worker/absences/?month={month}").content.decode()


def test_marking_a_member_bedridden_takes_them_out_of_the_rate_not_out_of_the_list(client, community_user, branch_day):
    activity, members = branch_day
    client.force_login(community_user)
    day = timezone.localtime(activity.starts_at).date()
    response = client.post(
        f"/worker/cadres/{members['赵缺席'].pk}/attendance/", {"attendance": "away", "on": day.isoformat()}
    )
    assert response.status_code == 302
    assert members["赵缺席"].excuses.get().reason == Attendance.AWAY
    [entry] = absences_of(Activity.objects.filter(pk=activity.pk))
    assert (entry.attended, entry.expected, len(entry.absences)) == (3, 4, 3)
    assert "长期外出" in client.get(f"/worker/cadres/{members['赵缺席'].pk}/").content.decode()


def test_the_rates_of_the_figures_are_the_lists_for_any_mix_of_members(community, branch_day):
    """Members who joined after the day, left before it, died before it; a cancelled, a future and a
    non-branch activity; follow-ups done: the figures (counted in the database) equal the list's sums."""
    activity, members = branch_day
    day = timezone.localtime(activity.starts_at).date()
    branch = activity.organiser_branch
    BranchMembershipFactory(branch=branch, joined_on=day + datetime.timedelta(days=1))  # not yet a member
    BranchMembershipFactory(branch=branch, left_on=day - datetime.timedelta(days=3))  # no longer one
    gone = BranchMembershipFactory(branch=branch).cadre
    gone.deceased_on = day - datetime.timedelta(days=10)
    gone.save()
    mobile = BranchMembershipFactory(branch=branch).cadre
    MobileMember.objects.create(cadre=mobile, place="青岛市", left_on=day - datetime.timedelta(days=60))
    SignInFactory(activity=activity, cadre=mobile)  # came back for the day: attended, not expected
    other = PartyBranchFactory(community=community)
    study = ActivityFactory(
        community=community,
        kind=Activity.Kind.STUDY,
        organiser_branch=other,
        starts_at=activity.starts_at + datetime.timedelta(minutes=30),
        ends_at=activity.starts_at + datetime.timedelta(hours=2),
        venue=None,
    )
    for _ in range(4):
        BranchMembershipFactory(branch=other)
    ActivityFactory(community=community, kind=Activity.Kind.CULTURE_SPORTS, organiser_branch=branch, venue=None)
    ActivityFactory(
        community=community, kind=Activity.Kind.PARTY_DAY, organiser_branch=branch, status="cancelled", venue=None
    )
    FollowUp.objects.create(activity=activity, cadre=members["陈卧床"], how="home", done_on=day)
    FollowUp.objects.create(activity=study, cadre=other.memberships.first().cadre, how="online", done_on=day)

    period = Period.month_of(day)
    entries = absences_of(
        branch_activities(Scope(level="city"), local_midnight(period.start), local_midnight(period.end))
    )
    assert len(entries) == 2
    summaries = by_branch(entries)
    expected = sum(s.expected for s in summaries)
    attended = sum(s.attended for s in summaries)
    absences = sum(s.absences for s in summaries)
    followed = sum(s.followed for s in summaries)
    assert (expected, attended, absences, followed) == (5 + 4, 3, 3 + 4, 2)
    for scope in (Scope(level="city"), Scope(level="community", community_id=community.pk)):
        numbers = figures(scope, as_of=day, period=period)
        assert numbers["branch_attendance_rate"] == round(attended / expected, 4)
        assert numbers["follow_up_completion"] == round(followed / absences, 4)
    elsewhere = Scope(level="community", community_id=CommunityFactory().pk)
    assert figures(elsewhere, as_of=day, period=period)["branch_attendance_rate"] is None


def test_the_absence_list_reads_a_constant_number_of_queries(
    client, community_user, branch_day, django_assert_max_num_queries
):
    activity, _members = branch_day
    client.force_login(community_user)
    month = timezone.localtime(activity.starts_at).strftime("%Y-%m")
    url = f"/worker/absences/?month={month}"
    client.get(url)
    # 14, and 3 for the audit row of the reading (accounts.gate.WHEREABOUTS_PAGES: the permissions read once, the row)
    with django_assert_max_num_queries(17) as small:
        client.get(url)
    for index in range(5):
        branch = PartyBranchFactory(community=activity.community)
        for _ in range(8):
            BranchMembershipFactory(branch=branch)
        ActivityFactory(
            community=activity.community,
            kind=Activity.Kind.STUDY,
            organiser_branch=branch,
            venue=None,
            starts_at=activity.starts_at + datetime.timedelta(minutes=index),
            ends_at=activity.starts_at + datetime.timedelta(hours=1),
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count('class="row pending"') == 3 + 5 * 8


def test_the_worker_home_counts_the_follow_ups_to_do(client, community_user, branch_day):
    client.force_login(community_user)
    assert "送学上门（待跟进3）" in client.get("/worker/").content.decode()
