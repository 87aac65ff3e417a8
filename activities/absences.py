"""送学上门: who missed a branch's monthly activities, who was followed up, and the two rates.

The one definition, used by the worker's absence list, the dashboards and the ledgers:

* a **branch activity** is a (not cancelled) 组织生活, 主题党日 or study session organised by a branch that
  has ended; it belongs to the branch's organisation, wherever the room was (``branch_activities``);
* its **members** are the branch's members on the activity's day (joined by then, not left, living);
* a member **attended** with a sign-in in the activity's book; a member who did not is an **absence**;
* a member bedridden, long away or living elsewhere (an ``AttendanceExcuse`` in force that day) or away as a
  mobile member (流动党员, left by then and not returned) is **excused** on that day: an absence to follow
  up, but not counted in the attendance rate. Excuses are dated, so a past month reads the ones that held
  then and marking someone today never changes a closed month;
* an absence is **followed up** once a ``FollowUp`` records how (送学上门, phone, online).

Attendance rate = attended non-excused members / non-excused members; follow-up completion = absences
followed up / absences, both over every branch activity of a scope and period.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from activities.models import Activity, FollowUp, SignIn
from cadres.models import (
    IN_PERSON_REASONS,
    Attendance,
    AttendanceExcuse,
    BranchMembership,
    Cadre,
    MobileMember,
    PartyBranch,
)
from cadres.models.people import living_on_q
from core.numbers import share
from core.scope import Scope

BRANCH_LIFE = (Activity.Kind.ORGANISATIONAL_LIFE, Activity.Kind.PARTY_DAY, Activity.Kind.STUDY)


def mobile_on(day) -> Q:
    """Mobile records (流动党员) that hold on ``day`` (a date or an expression): left by then, not returned."""
    return Q(left_on__lte=day) & (Q(returned_on__isnull=True) | Q(returned_on__gt=day))


def excused_q(day, cadre: str = "pk") -> Q:
    """Members excused on ``day`` (a date, or an expression such as ``OuterRef(OuterRef("day"))``): followed
    up at home rather than expected in the room. ``cadre`` names the outer query's cadre column."""
    return Q(Exists(AttendanceExcuse.objects.in_force_on(day).filter(cadre=OuterRef(cadre)))) | Q(
        Exists(MobileMember.objects.filter(mobile_on(day), cadre=OuterRef(cadre)))
    )


class Excuses:
    """Every excuse and mobile record of some members, loaded in two queries, asked per member and day
    (``excused_q`` in Python for the worker's list; a test keeps the two equal)."""

    def __init__(self, cadre_ids):
        self.excuses: dict[int, list[AttendanceExcuse]] = {}
        self.mobile: dict[int, list[MobileMember]] = {}
        for excuse in AttendanceExcuse.objects.filter(cadre_id__in=cadre_ids).order_by("starts_on", "pk"):
            self.excuses.setdefault(excuse.cadre_id, []).append(excuse)
        for record in MobileMember.objects.filter(cadre_id__in=cadre_ids).only("cadre_id", "left_on", "returned_on"):
            self.mobile.setdefault(record.cadre_id, []).append(record)

    def on(self, cadre_id: int, day: datetime.date) -> str:
        """Why the member is excused on ``day``, as the list shows it ("" when expected in the room): being
        bedridden or away first, then mobile, then living elsewhere."""
        held = {excuse.reason: excuse for excuse in self.excuses.get(cadre_id, []) if excuse.holds_on(day)}
        for reason in IN_PERSON_REASONS:
            if reason in held:
                return held[reason].get_reason_display()
        for record in self.mobile.get(cadre_id, []):
            if record.left_on <= day and (record.returned_on is None or record.returned_on > day):
                return str(MobileMember._meta.verbose_name)
        if Attendance.LIVES_AWAY in held:
            return held[Attendance.LIVES_AWAY].get_reason_display()
        return ""


def excuse_of(cadre: Cadre, day: datetime.date) -> str:
    """Why one member is excused on ``day`` ("" when expected in the room)."""
    return Excuses([cadre.pk]).on(cadre.pk, day)


def branch_activities(scope: Scope, start: datetime.datetime, end: datetime.datetime) -> QuerySet:
    """The branch activities of ``scope``'s branches starting in [start, end), not cancelled, that have ended: a
    member is absent only once the activity is over (its end time on the local clock); one nobody came to has
    every member absent (to be followed up), whether or not anyone marked it held.

    Branch life is the branch's, not the room's: an activity a branch holds in a room another community lent
    is its own organisation's (its community's, or its unit's), never the host's. A community's are those of
    its own branches (a unit's branch meeting there has members who live anywhere: the unit's staff follow
    them up); a unit's, those of the branches it owns; a street's, district's or city's, every branch in it.
    """
    return branch_life_of(scope).not_cancelled().ended().filter(starts_at__gte=start, starts_at__lt=end)


def branch_life_of(scope: Scope) -> QuerySet:
    """Every branch activity (组织生活, 主题党日, study) of ``scope``'s own branches, wherever they met: what its
    absence list shows and what it may record follow-ups for (``branch_activities``' rule)."""
    branches = PartyBranch.objects.in_scope(scope)
    if scope.level == "community":
        branches = branches.filter(owner__isnull=True)
    return Activity.objects.filter(kind__in=BRANCH_LIFE, organiser_branch__in=branches)


class _Count(Subquery):
    """The number of rows of a subquery, as a column of the outer query."""

    template = "(SELECT count(*) FROM (%(subquery)s) _rows)"
    output_field = IntegerField()


def _members():
    """The members of the outer activity's branch on its day (the outer query is annotated with ``day``)."""
    day = OuterRef("day")
    return BranchMembership.objects.order_by().filter(
        Q(joined_on__isnull=True) | Q(joined_on__lte=day),
        Q(left_on__isnull=True) | Q(left_on__gt=day),
        living_on_q(day, "cadre__"),
        branch=OuterRef("organiser_branch"),
    )


def _signed():
    return Exists(SignIn.objects.filter(activity=OuterRef(OuterRef("pk")), cadre=OuterRef("cadre")))


def _followed():
    return Exists(FollowUp.objects.filter(activity=OuterRef(OuterRef("pk")), cadre=OuterRef("cadre")))


def with_attendance(activities: QuerySet) -> QuerySet:
    """Each activity with ``expected``, ``attended``, ``absences`` and ``followed`` (one query, in the database)."""
    expected = _members().exclude(excused_q(OuterRef(OuterRef("day")), cadre="cadre_id"))
    return activities.annotate(day=TruncDate("starts_at")).annotate(
        expected=_Count(expected.values("pk")),
        attended=_Count(expected.filter(_signed()).values("pk")),
        absences=_Count(_members().filter(~_signed()).values("pk")),
        followed=_Count(_members().filter(~_signed(), _followed()).values("pk")),
    )


def attendance_figures(activities: QuerySet) -> dict:
    """The two rates over branch activities (already filtered by ``branch_activities``)."""
    # the sums are named apart from the annotations they add up (the same name would replace them)
    sums = with_attendance(activities).aggregate(
        total_expected=Sum("expected"),
        total_attended=Sum("attended"),
        total_absences=Sum("absences"),
        total_followed=Sum("followed"),
    )
    totals = {key.removeprefix("total_"): value or 0 for key, value in sums.items()}
    return {
        "branch_attendance_rate": share(totals["attended"], totals["expected"]),
        "follow_up_completion": share(totals["followed"], totals["absences"]),
    }


def pending_follow_ups(activities: QuerySet) -> int:
    """Absences of these branch activities not followed up yet (the worker's home shows the number)."""
    sums = with_attendance(activities).aggregate(total_absences=Sum("absences"), total_followed=Sum("followed"))
    return (sums["total_absences"] or 0) - (sums["total_followed"] or 0)


# --- the worker's list: each absence, with its follow-up if done ----------------------------------


@dataclass
class Absence:
    cadre: Cadre
    excuse: str
    follow_up: FollowUp | None


@dataclass
class ActivityAbsences:
    activity: Activity
    expected: int = 0
    attended: int = 0
    absences: list[Absence] = field(default_factory=list)

    @property
    def followed(self) -> int:
        return sum(1 for absence in self.absences if absence.follow_up)

    @property
    def attendance_rate(self) -> float | None:
        return share(self.attended, self.expected)


@dataclass
class BranchSummary:
    """A branch's month (or the total of several): activities, attendance and follow-ups."""

    branch_name: str
    community_name: str = ""
    activities: int = 0
    expected: int = 0
    attended: int = 0
    absences: int = 0
    followed: int = 0

    def add(self, *, expected: int, attended: int, absences: int, followed: int) -> None:
        """Count one more branch activity in."""
        self.activities += 1
        self.expected += expected
        self.attended += attended
        self.absences += absences
        self.followed += followed

    @property
    def attendance_rate(self) -> float | None:
        return share(self.attended, self.expected)

    @property
    def completion(self) -> float | None:
        return share(self.followed, self.absences)


# what the list reads of each member: the name and what ``_member_on`` asks
CADRE_FIELDS = ("name", "deceased_on")


def _member_on(membership: BranchMembership, day: datetime.date) -> bool:
    """``_members()`` for one membership and day, in Python (a test keeps the two equal)."""
    return (
        (membership.joined_on is None or membership.joined_on <= day)
        and (membership.left_on is None or membership.left_on > day)
        and membership.cadre.is_living_on(day)
    )


def absences_of(activities: QuerySet) -> list[ActivityAbsences]:
    """Each branch activity with its members' absences (six queries whatever the month holds)."""
    activities = list(activities.select_related("organiser_branch", "venue", "community").order_by("starts_at", "pk"))
    branch_ids = {activity.organiser_branch_id for activity in activities}
    memberships: dict[int, list[BranchMembership]] = {}
    for membership in (
        BranchMembership.objects.filter(branch_id__in=branch_ids)
        .select_related("cadre")
        .only("branch_id", "joined_on", "left_on", *(f"cadre__{name}" for name in CADRE_FIELDS))
        .order_by("cadre__name_pinyin", "cadre_id")
    ):
        memberships.setdefault(membership.branch_id, []).append(membership)
    signed = set(
        SignIn.objects.filter(activity__in=activities, cadre__isnull=False).values_list("activity_id", "cadre_id")
    )
    follow_ups = {(f.activity_id, f.cadre_id): f for f in FollowUp.objects.filter(activity__in=activities)}
    member_ids = {membership.cadre_id for members in memberships.values() for membership in members}
    excuses = Excuses(member_ids)
    result = []
    for activity in activities:
        day = timezone.localtime(activity.starts_at).date()
        entry = ActivityAbsences(activity)
        for membership in memberships.get(activity.organiser_branch_id, []):
            if not _member_on(membership, day):
                continue
            cadre = membership.cadre
            excuse, was_there = excuses.on(cadre.pk, day), (activity.pk, cadre.pk) in signed
            if not excuse:
                entry.expected += 1
                entry.attended += was_there
            if not was_there:
                entry.absences.append(Absence(cadre, excuse, follow_ups.get((activity.pk, cadre.pk))))
        result.append(entry)
    return result


def by_branch(entries: list[ActivityAbsences]) -> list[BranchSummary]:
    """The month of each branch: its rate and its follow-ups, in the order of the branches' names."""
    summaries: dict[int, BranchSummary] = {}
    for entry in entries:
        branch = entry.activity.organiser_branch
        summaries.setdefault(branch.pk, BranchSummary(branch.name)).add(
            expected=entry.expected, attended=entry.attended, absences=len(entry.absences), followed=entry.followed
        )
    return sorted(summaries.values(), key=lambda summary: summary.branch_name)
