"""送学上门, dated: a member bedridden, long away or living elsewhere is excused only on the days it held.

Marking someone today never changes a month already past (its figures, its absence list); a change takes effect
from a day of this month, never earlier; the database's and the list's reading of "excused on a day" agree.
"""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from activities.absences import Excuses, absences_of, branch_activities, excused_q
from activities.models import Activity
from cadres.members import not_registered
from cadres.models import Attendance, AttendanceExcuse, Cadre, MobileMember
from cadres.services import mark_attendance, mark_lives_away
from core.dates import Period, local_midnight
from core.scope import Scope
from portal.figures import community_measures, figures, live_month
from tests.factories import (
    ActivityFactory,
    AttendanceExcuseFactory,
    BranchMembershipFactory,
    CadreFactory,
    PartyBranchFactory,
    SignInFactory,
)

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 12, 15)
# the 15th at ten in the morning: the month's first half has passed
NOW = datetime.datetime(2026, 12, 15, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def today():
    with time_machine.travel(NOW, tick=False):
        yield TODAY


@pytest.fixture
def october_day(community, today):
    """A 主题党日 on 16 October of a branch of five: three came, two (刘芳, 赵缺席) missed it."""
    branch = PartyBranchFactory(community=community, name="桃花山第一支部")
    names = ["王建国", "李秀英", "张伟", "刘芳", "赵缺席"]
    members = {
        name: BranchMembershipFactory(branch=branch, cadre__name=name, joined_on=datetime.date(2020, 1, 1)).cadre
        for name in names
    }
    starts = datetime.datetime(2026, 10, 16, 9, 0, tzinfo=SHANGHAI)
    activity = ActivityFactory(
        community=community,
        kind=Activity.Kind.PARTY_DAY,
        organiser_branch=branch,
        title="十月主题党日",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        status=Activity.Status.HELD,
    )
    for name in ("王建国", "李秀英", "张伟"):
        SignInFactory(activity=activity, cadre=members[name])
    return activity, members


def _october(community):
    period = Period.month_of(datetime.date(2026, 10, 1))
    return figures(
        Scope(level="community", community_id=community.pk), as_of=datetime.date(2026, 10, 31), period=period
    )


def test_marking_a_member_today_leaves_october_as_it_was(client, community_user, community, october_day, today):
    activity, members = october_day
    before = _october(community)
    assert before["branch_attendance_rate"] == round(3 / 5, 4)  # three of the five came

    client.force_login(community_user)
    for name, data in (("刘芳", {"attendance": "bedridden"}), ("赵缺席", {"lives_away": "on", "away_place": "青岛市"})):
        response = client.post(f"/worker/cadres/{members[name].pk}/attendance/", {**data, "on": today.isoformat()})
        assert response.status_code == 302

    assert _october(community) == before  # every figure of October, not only the rate
    [entry] = absences_of(Activity.objects.filter(pk=activity.pk))
    assert (entry.attended, entry.expected) == (3, 5)
    assert {absence.cadre.name: absence.excuse for absence in entry.absences} == {"刘芳": "", "赵缺席": ""}
    page = client.get("/worker/absences/?month=2026-10").content.decode()
    assert 'class="badge"' not in page  # neither is marked excused on the October day

    # from today on they are excused: a branch day this afternoon expects the three who can come
    afternoon = ActivityFactory(
        community=community,
        kind=Activity.Kind.STUDY,
        organiser_branch=activity.organiser_branch,
        starts_at=NOW - datetime.timedelta(hours=1),
        ends_at=NOW - datetime.timedelta(minutes=10),
        status=Activity.Status.HELD,
    )
    [today_entry] = absences_of(Activity.objects.filter(pk=afternoon.pk))
    assert today_entry.expected == 3
    december = figures(Scope(level="community", community_id=community.pk), as_of=today, period=Period.month_of(today))
    assert december["branch_attendance_rate"] == 0.0  # nobody has signed in yet, of three expected


def test_the_member_file_shows_when_each_excuse_held(client, community_user, community, october_day, today):
    _activity, members = october_day
    cadre = members["刘芳"]
    client.force_login(community_user)
    client.post(f"/worker/cadres/{cadre.pk}/attendance/", {"attendance": "away", "on": "2026-12-01"})
    client.post(f"/worker/cadres/{cadre.pk}/attendance/", {"attendance": "", "on": "2026-12-10"})
    page = client.get(f"/worker/cadres/{cadre.pk}/").content.decode()
    assert "长期外出" in page and "2026-12-01 起" in page and "2026-12-10 恢复" in page
    assert list(cadre.excuses.values_list("reason", "starts_on", "ends_on")) == [
        ("away", datetime.date(2026, 12, 1), datetime.date(2026, 12, 10))
    ]


def test_a_change_cannot_reach_back_into_a_past_month(client, community_user, october_day, today):
    _activity, members = october_day
    cadre = members["刘芳"]
    client.force_login(community_user)
    response = client.post(
        f"/worker/cadres/{cadre.pk}/attendance/", {"attendance": "bedridden", "on": "2026-11-30"}, follow=True
    )
    assert "生效日期应在2026-12-01至今天（2026-12-15）之间" in response.content.decode()
    response = client.post(
        f"/worker/cadres/{cadre.pk}/attendance/", {"attendance": "bedridden", "on": "2026-12-16"}, follow=True
    )
    assert "日期不能晚于今天（2026-12-15）" in response.content.decode()
    assert not AttendanceExcuse.objects.exists()  # nothing half-written
    with pytest.raises(ValidationError):
        mark_lives_away(cadre=cadre, lives_away=True, place="青岛市", on=datetime.date(2026, 10, 1), by=None)


def test_both_marks_are_one_write(client, community_user, october_day, today):
    """Bedridden from the 3rd (fine on its own) with 易地居住 ended on the 3rd, before it began on the 5th
    (refused): the page's two marks are one write, so the bedridden mark is not kept either."""
    _activity, members = october_day
    cadre = members["刘芳"]
    mark_lives_away(cadre=cadre, lives_away=True, place="青岛市", on=datetime.date(2026, 12, 5), by=None)
    client.force_login(community_user)
    client.post(
        f"/worker/cadres/{cadre.pk}/attendance/",
        {"attendance": "bedridden", "lives_away": "", "on": "2026-12-03"},  # before the living-away began
    )
    assert list(cadre.excuses.values_list("reason", "starts_on", "ends_on")) == [
        ("lives_away", datetime.date(2026, 12, 5), None)
    ]


def test_same_day_changes_replace_and_earlier_days_are_refused(october_day, today):
    _activity, members = october_day
    cadre = members["刘芳"]
    mark_attendance(cadre=cadre, attendance="bedridden", on=today, by=None)
    mark_attendance(cadre=cadre, attendance="away", on=today, by=None)  # a slip corrected the same day
    assert list(cadre.excuses.values_list("reason", "starts_on", "ends_on")) == [("away", today, None)]
    mark_attendance(cadre=cadre, attendance="", on=today, by=None)
    assert not cadre.excuses.exists()

    mark_attendance(cadre=cadre, attendance="bedridden", on=datetime.date(2026, 12, 2), by=None)
    mark_attendance(cadre=cadre, attendance="", on=datetime.date(2026, 12, 9), by=None)
    with pytest.raises(ValidationError, match="上一段情况的结束日期"):
        mark_attendance(cadre=cadre, attendance="away", on=datetime.date(2026, 12, 5), by=None)
    mark_attendance(cadre=cadre, attendance="bedridden", on=datetime.date(2026, 12, 12), by=None)
    with pytest.raises(ValidationError, match="现有情况的开始日期"):
        mark_attendance(cadre=cadre, attendance="away", on=datetime.date(2026, 12, 10), by=None)
    assert list(cadre.excuses.order_by("starts_on").values_list("starts_on", "ends_on")) == [
        (datetime.date(2026, 12, 2), datetime.date(2026, 12, 9)),
        (datetime.date(2026, 12, 12), None),
    ]
    # the audit trail keeps every write, the deleted same-day slips too
    assert AttendanceExcuse.history.filter(cadre_id=cadre.pk).count() >= 6


def test_the_database_refuses_two_open_excuses_and_backward_periods(today):
    cadre = CadreFactory()
    AttendanceExcuseFactory(cadre=cadre, reason=Attendance.BEDRIDDEN)
    AttendanceExcuseFactory(cadre=cadre, reason=Attendance.LIVES_AWAY)  # may hold beside the other
    with pytest.raises(IntegrityError), transaction.atomic():
        AttendanceExcuseFactory(cadre=cadre, reason=Attendance.AWAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        AttendanceExcuseFactory(
            cadre=cadre, reason=Attendance.AWAY, starts_on=datetime.date(2026, 3, 1), ends_on=datetime.date(2026, 3, 1)
        )


def test_the_database_and_the_list_agree_on_who_is_excused_any_day(today):
    """``excused_q`` (counted in the database) and ``Excuses.on`` (the list) over a grid of days and periods."""
    d = datetime.date
    cases = [
        [(Attendance.BEDRIDDEN, d(2026, 3, 1), None)],
        [(Attendance.AWAY, d(2026, 3, 1), d(2026, 3, 10))],
        [(Attendance.LIVES_AWAY, d(2026, 3, 5), None), (Attendance.BEDRIDDEN, d(2026, 2, 1), d(2026, 3, 6))],
        [(Attendance.AWAY, d(2026, 3, 9), d(2026, 3, 10)), (Attendance.BEDRIDDEN, d(2026, 3, 10), None)],
        [],
    ]
    cadres = []
    for periods in cases:
        cadre = CadreFactory()
        for reason, starts, ends in periods:
            AttendanceExcuseFactory(cadre=cadre, reason=reason, starts_on=starts, ends_on=ends)
        cadres.append(cadre)
    mobile = CadreFactory()
    MobileMember.objects.create(cadre=mobile, place="青岛市", left_on=d(2026, 3, 3), returned_on=d(2026, 3, 8))
    cadres.append(mobile)
    ids = [cadre.pk for cadre in cadres]
    excuses = Excuses(ids)
    seen = 0
    for offset in range(-40, 20):
        day = d(2026, 3, 5) + datetime.timedelta(days=offset)
        in_sql = set(Cadre.objects.filter(pk__in=ids).filter(excused_q(day)).values_list("pk", flat=True))
        in_python = {pk for pk in ids if excuses.on(pk, day)}
        assert in_sql == in_python, day
        seen += len(in_sql)
    assert seen > 0
    # the grid reaches every case: before, inside and after each period, the half-open ends included
    assert excuses.on(cadres[1].pk, d(2026, 3, 9)) == "长期外出" and excuses.on(cadres[1].pk, d(2026, 3, 10)) == ""
    assert excuses.on(cadres[2].pk, d(2026, 3, 5)) == "卧床/行动不便"  # bedridden shows before living away
    assert excuses.on(cadres[2].pk, d(2026, 3, 6)) == "易地居住"
    assert excuses.on(mobile.pk, d(2026, 3, 7)) == "流动党员" and excuses.on(mobile.pk, d(2026, 3, 8)) == ""
    assert not excuses.on(cadres[4].pk, d(2026, 3, 5))


def test_living_elsewhere_from_today_leaves_a_past_date_unregistered(community, today):
    cadre = CadreFactory(community=community)  # a party member with no home where they live, not reported
    mark_lives_away(cadre=cadre, lives_away=True, place="青岛市", on=today, by=None)
    scope = Scope(level="community", community_id=community.pk)
    assert cadre in not_registered(scope, datetime.date(2026, 11, 30))
    assert cadre not in not_registered(scope, today)


def test_the_october_list_reads_the_excuses_of_its_day(client, community_user, community, october_day, today):
    """An excuse that held in October (and ended since) still excuses the October day."""
    activity, members = october_day
    AttendanceExcuseFactory(
        cadre=members["刘芳"],
        reason=Attendance.BEDRIDDEN,
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2026, 11, 1),
    )
    entries = absences_of(
        branch_activities(
            Scope(level="city"), local_midnight(datetime.date(2026, 10, 1)), local_midnight(datetime.date(2026, 11, 1))
        )
    )
    [entry] = entries
    assert (entry.attended, entry.expected) == (3, 4)
    assert _october(community)["branch_attendance_rate"] == round(3 / 4, 4)
    client.force_login(community_user)
    page = client.get("/worker/absences/?month=2026-10").content.decode()
    assert page.count('<span class="badge">卧床/行动不便</span>') == 1


def test_the_third_quarter_scorecard_and_the_september_ledger_stay_as_they_were(community, october_day, today):
    """Every scorecard measure of a past quarter and every figure and row of a past month's ledger, computed
    before and after two absent members are marked today, are equal; and the September rate is 3 of 5."""
    activity, members = october_day
    starts = datetime.datetime(2026, 9, 16, 9, 0, tzinfo=SHANGHAI)
    september = ActivityFactory(
        community=community,
        kind=Activity.Kind.ORGANISATIONAL_LIFE,
        organiser_branch=activity.organiser_branch,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        status=Activity.Status.HELD,
    )
    for name in ("王建国", "李秀英", "张伟"):
        SignInFactory(activity=september, cadre=members[name])
    scope = Scope(level="community", community_id=community.pk)
    quarter, month = Period.quarter(2026, 3), Period.month(2026, 9)

    def read():
        return (
            community_measures(scope, quarter, deadline_day=10, today=today),
            live_month(scope, as_of=month.last_day, period=month),
        )

    before = read()
    assert before[1][0]["branch_attendance_rate"] == round(3 / 5, 4)
    mark_attendance(cadre=members["刘芳"], attendance="bedridden", on=today, by=None)
    mark_lives_away(cadre=members["赵缺席"], lives_away=True, place="青岛市", on=today, by=None)
    assert read() == before


def test_ending_nothing_never_blocks_the_other_mark(client, community_user, october_day, today):
    """Bedridden 12-02 to 12-09; on the 15th the liaison ticks 易地居住 from the 5th. The page sends both marks:
    the idle one (back to normal, with nothing open) must not refuse the other for its date."""
    _activity, members = october_day
    cadre = members["刘芳"]
    mark_attendance(cadre=cadre, attendance="bedridden", on=datetime.date(2026, 12, 2), by=None)
    mark_attendance(cadre=cadre, attendance="", on=datetime.date(2026, 12, 9), by=None)
    client.force_login(community_user)
    response = client.post(
        f"/worker/cadres/{cadre.pk}/attendance/",
        {"attendance": "", "lives_away": "on", "away_place": "青岛市", "on": "2026-12-05"},
        follow=True,
    )
    assert "已更新刘芳参加组织生活的情况" in response.content.decode()
    assert cadre.excuses.get(reason=Attendance.LIVES_AWAY).starts_on == datetime.date(2026, 12, 5)


def test_living_elsewhere_is_read_and_marked_in_the_admin_only_by_who_sees_health(client, community, today):
    """The street's clerk (no health permission) neither sees 易地居住 on the roster's change page nor marks it
    with a hand-made POST; the district's clerk does both."""
    from django.contrib import admin
    from django.test import RequestFactory

    from accounts.models import Role
    from tests.conftest import make_user

    cadre = CadreFactory(community=community)
    street_clerk = make_user(Role.STREET, street=community.street)
    district_clerk = make_user(Role.BUREAU)
    url = f"/admin/cadres/cadre/{cadre.pk}/change/"
    client.force_login(street_clerk)
    assert 'name="lives_away"' not in client.get(url).content.decode()
    client.force_login(district_clerk)
    assert 'name="lives_away"' in client.get(url).content.decode()

    model_admin = admin.site._registry[Cadre]

    class Posted:  # what a bound form carries after a hand-made POST
        changed_data = ["lives_away", "away_place"]
        cleaned_data = {"lives_away": True, "away_place": "青岛市"}

    for user, kept in ((street_clerk, False), (district_clerk, True)):
        request = RequestFactory().post(url)
        request.user = user
        model_admin.save_model(request, cadre, Posted(), change=True)
        assert cadre.excuses.filter(reason=Attendance.LIVES_AWAY).exists() is kept, user
