"""The figures of the design card, one definition for dashboards, ledgers and exports.

Every figure is a database aggregate over the rows of a scope, so the cost grows with
the number of communities (or of distinct values), never with the number of cadres,
sign-ins or entries. Nothing else in the portal computes a figure.
"""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.absences import attendance_figures, branch_activities, with_attendance
from activities.models import Activity, Need, Redemption, ServiceRecord, SignIn
from activities.models.lists import open_on as need_open_on
from activities.models.timebank import balance, earned_through, spent_through
from approvals import rules
from approvals.models import MonthApproval, MonthChange
from approvals.services import CHANGE_TRACKED_FIGURES, figure_value
from cadres import members
from cadres.models import Cadre, CareCase, MobileMember, PartyBranch, Talent, TalentCategory, Visit
from cadres.models.people import born_on_or_before_age, living_on_q
from cadres.selectors import communities_needing_branch
from communities.models import Community, District, Street, Venue
from core import scope as scopes
from core.dates import Period, hours_of, local_midnight, month_start, months_back, next_month
from core.numbers import share
from core.scope import Scope

# age bands of the design card: (key, youngest age, oldest age) inclusive
AGE_BANDS = (
    ("<60", None, 59),
    ("60-69", 60, 69),
    ("70-74", 70, 74),
    ("75-79", 75, 79),
    ("80-89", 80, 89),
    ("90+", 90, None),
)
# every key of the design card's table, in its order (LedgerReport keeps its figures under these)
FIGURE_KEYS = (
    "cadres_total",
    "party_members",
    "age_bands",
    "share_75_plus",
    "branches_by_kind",
    "communities_needing_branch",
    "share_branches_without_venue",
    "share_rooms_six_haves",
    "activities_by_kind",
    "sign_ins",
    "unique_participants",
    "participation_rate",
    "branch_attendance_rate",
    "follow_up_completion",
    "visits",
    "care_overdue",
    "needs_opened",
    "needs_resolved",
    "needs_open",
    "median_days_to_resolve",
    "service_hours",
    "points_redeemed",
    "points_outstanding",
    "talents_by_category",
)

FIGURE_LABELS = {
    "cadres_total": _("在册离退休干部"),
    "party_members": _("其中中共党员"),
    "age_bands": _("年龄结构"),
    "share_75_plus": _("75岁以上占比"),
    "branches_by_kind": _("离退休干部党组织"),
    "communities_needing_branch": _("应建未建支部的社区"),
    "share_branches_without_venue": _("无固定活动场所的支部占比"),
    "share_rooms_six_haves": _("党员活动室“六有”达标率"),
    "activities_by_kind": _("开展活动"),
    "sign_ins": _("签到人次"),
    "unique_participants": _("参加活动的老干部"),
    "participation_rate": _("党员参与率"),
    "branch_attendance_rate": _("支部活动参与率"),
    "follow_up_completion": _("缺席党员送学上门完成率"),
    "visits": _("走访慰问次数"),
    "care_overdue": _("逾期未走访的帮扶对象"),
    "needs_opened": _("新增需求"),
    "needs_resolved": _("解决需求"),
    "needs_open": _("未办结需求"),
    "median_days_to_resolve": _("需求解决天数（中位数）"),
    "service_hours": _("志愿服务时长（小时）"),
    "points_redeemed": _("兑换积分"),
    "points_outstanding": _("积分余额合计"),
    "talents_by_category": _("银色人才"),
}
SHARES = {
    "share_75_plus",
    "share_branches_without_venue",
    "share_rooms_six_haves",
    "participation_rate",
    "branch_attendance_rate",
    "follow_up_completion",
}
BRANCH_KIND_LABELS = {"formal": _("建制型"), "functional": _("功能型")}


def _alias(band_key: str) -> str:
    return "band_" + band_key.replace("<", "under").replace("+", "_plus").replace("-", "_")


def _cadre_aggregates(as_of: datetime.date) -> dict:
    """The aggregates behind the cadre figures, one set for a whole scope or for each unit below it."""
    aggregates = {"cadres_total": Count("pk"), "party_members": Count("pk", filter=Q(is_party_member=True))}
    for key, youngest, oldest in AGE_BANDS:
        condition = Q()
        if youngest is not None:
            condition &= Q(birth_date__lte=born_on_or_before_age(youngest, as_of))
        if oldest is not None:
            condition &= Q(birth_date__gt=born_on_or_before_age(oldest + 1, as_of))
        aggregates[_alias(key)] = Count("pk", filter=condition)
    aggregates["aged_75_plus"] = Count("pk", filter=Q(birth_date__lte=born_on_or_before_age(75, as_of)))
    return aggregates


def _living_cadres(scope: Scope, as_of: datetime.date) -> QuerySet:
    return Cadre.objects.in_scope(scope).filter(living_on_q(as_of), birth_date__lte=as_of)


def _cadre_numbers(row: dict) -> dict:
    """The cadre figures from one row of ``_cadre_aggregates`` (or the sum of several)."""
    return {
        "cadres_total": row["cadres_total"],
        "party_members": row["party_members"],
        "age_bands": {key: row[_alias(key)] for key, _y, _o in AGE_BANDS},
        "share_75_plus": share(row["aged_75_plus"], row["cadres_total"]),
    }


def cadre_figures(scope: Scope, as_of: datetime.date) -> dict:
    """Living cadres, party members and age bands on ``as_of`` (one query)."""
    return _cadre_numbers(_living_cadres(scope, as_of).aggregate(**_cadre_aggregates(as_of)))


def organisation_figures(scope: Scope, as_of: datetime.date) -> dict:
    """Branches, the branch rule, fixed venues and the six haves."""
    branches = PartyBranch.objects.in_scope(scope).aggregate(
        formal=Count("pk", filter=Q(kind=PartyBranch.Kind.FORMAL)),
        functional=Count("pk", filter=Q(kind=PartyBranch.Kind.FUNCTIONAL)),
        without_venue=Count("pk", filter=Q(venue__isnull=True)),
        total=Count("pk"),
    )
    rooms = Venue.objects.in_scope(scope).party_rooms().filter(is_active=True)
    room_counts = rooms.aggregate(total=Count("pk"), six=Count("pk", filter=Q(**{f: True for f in Venue.SIX_HAVES})))
    return {
        "branches_by_kind": {"formal": branches["formal"], "functional": branches["functional"]},
        "communities_needing_branch": communities_needing_branch(scope, as_of).count(),
        "share_branches_without_venue": share(branches["without_venue"], branches["total"]),
        "share_rooms_six_haves": share(room_counts["six"], room_counts["total"]),
    }


def _starts_in(period: Period, prefix: str = "") -> dict[str, datetime.datetime]:
    return {
        f"{prefix}starts_at__gte": local_midnight(period.start),
        f"{prefix}starts_at__lt": local_midnight(period.end),
    }


def _held(scope: Scope, period: Period) -> QuerySet:
    return Activity.objects.in_scope(scope).held().filter(**_starts_in(period))


def _signed(scope: Scope, period: Period) -> QuerySet:
    return (
        SignIn.objects.in_scope(scope)
        .exclude(activity__status=Activity.Status.CANCELLED)
        .filter(**_starts_in(period, "activity__"))
    )


# sign-ins, the distinct cadres among them and the distinct party members (participation)
SIGN_IN_AGGREGATES = {
    "total": Count("pk"),
    "unique": Count("cadre", distinct=True),
    "members": Count("cadre", distinct=True, filter=Q(cadre__is_party_member=True)),
}


def _activity_numbers(by_kind: dict, sign_ins: dict, party_members: int) -> dict:
    return {
        "activities_by_kind": {kind: by_kind.get(kind, 0) for kind in Activity.Kind.values},
        "sign_ins": sign_ins["total"],
        "unique_participants": sign_ins["unique"],
        # deviation (README): party members who took part / party members, so the rate never passes 100%
        "participation_rate": share(sign_ins["members"], party_members),
    }


def activity_figures(scope: Scope, period: Period, party_members: int) -> dict:
    """Activities by kind, sign-ins and participation in a period."""
    by_kind = dict(_held(scope, period).values_list("kind").annotate(n=Count("pk")).order_by())
    return _activity_numbers(by_kind, _signed(scope, period).aggregate(**SIGN_IN_AGGREGATES), party_members)


def branch_life_figures(scope: Scope, period: Period) -> dict:
    """送学上门: branch activities' attendance rate and follow-up completion (``activities.absences``)."""
    activities = branch_activities(scope, local_midnight(period.start), local_midnight(period.end))
    return attendance_figures(activities)


def _visits(scope: Scope, period: Period) -> int:
    return Visit.objects.in_scope(scope).between(period.start, period.end).count()


def care_figures(scope: Scope, as_of: datetime.date, period: Period) -> dict:
    """Visits in the period; open care cases overdue for a visit on ``as_of``."""
    return {"visits": _visits(scope, period), "care_overdue": CareCase.objects.in_scope(scope).overdue(as_of).count()}


def _median_days(durations: dict) -> float | None:
    """The median of a {days: how many} histogram."""
    total = sum(durations.values())
    if not total:
        return None
    ordered, seen, middle = sorted(durations.items()), 0, []
    for days, count in ordered:
        for position in ((total - 1) // 2, total // 2):
            if seen <= position < seen + count:
                middle.append(days)
        seen += count
    return round(sum(middle) / len(middle), 1)


def need_figures(scope: Scope, as_of: datetime.date, period: Period) -> dict:
    """The needs funnel: raised and resolved in the period, still open on ``as_of``, median days to resolve."""
    needs = Need.objects.in_scope(scope)
    counts = needs.aggregate(
        opened=Count("pk", filter=Q(raised_on__gte=period.start, raised_on__lt=period.end)),
        resolved=Count("pk", filter=Q(resolved_on__gte=period.start, resolved_on__lt=period.end)),
        open=Count("pk", filter=need_open_on(as_of)),
    )
    # days to resolve, grouped in the database: the histogram has one row per distinct number of days
    duration = ExpressionWrapper(F("resolved_on") - F("raised_on"), output_field=DurationField())
    histogram = (
        needs.filter(resolved_on__gte=period.start, resolved_on__lt=period.end)
        .annotate(took=duration)
        .values("took")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        "needs_opened": counts["opened"],
        "needs_resolved": counts["resolved"],
        "needs_open": counts["open"],
        "median_days_to_resolve": _median_days({row["took"].days: row["n"] for row in histogram}),
    }


def time_bank_figures(scope: Scope, as_of: datetime.date, period: Period) -> dict:
    """Service hours and points exchanged in the period (net of reversals); points held on ``as_of``."""
    records = ServiceRecord.objects.in_scope(scope).aggregate(
        hours=Sum("hours", filter=Q(served_on__gte=period.start, served_on__lt=period.end)),
        earned=earned_through(as_of),
    )
    redemptions = Redemption.objects.in_scope(scope).aggregate(
        in_period=Sum("points", filter=Q(redeemed_on__gte=period.start, redeemed_on__lt=period.end)),
        spent=spent_through(as_of),
    )
    return {
        "service_hours": float(records["hours"] or 0),
        "points_redeemed": redemptions["in_period"] or 0,
        "points_outstanding": balance(records["earned"], redemptions["spent"]),
    }


def talent_figures(scope: Scope, as_of: datetime.date) -> dict:
    """Silver talents (living cadres) by category."""
    rows = dict(
        Talent.objects.in_scope(scope)
        .filter(living_on_q(as_of, "cadre__"))
        .values_list("category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {"talents_by_category": {category: rows.get(category, 0) for category in TalentCategory.values}}


def figures(scope: Scope, *, as_of: datetime.date, period: Period) -> dict:
    """Every figure of the design card for a scope, as of a date and over a period."""
    result = cadre_figures(scope, as_of)
    result.update(activity_figures(scope, period, result["party_members"]))
    result.update(care_figures(scope, as_of, period))
    result.update(_scope_wide_figures(scope, as_of, period))
    return {key: result[key] for key in FIGURE_KEYS}


def _scope_wide_figures(scope: Scope, as_of: datetime.date, period: Period) -> dict:
    """The figures of small tables, counted for the scope as a whole (never split by unit)."""
    result = organisation_figures(scope, as_of)
    result.update(need_figures(scope, as_of, period))
    result.update(branch_life_figures(scope, period))
    result.update(time_bank_figures(scope, as_of, period))
    result.update(talent_figures(scope, as_of))
    return result


# --- 一方隶属、多方管理: where members belong and who uses whose rooms -----------------------------

# a member's one organisational home, in the order a member with more than one record is counted
HOME_LABELS = {
    "unit_branch": _("单位建制型支部"),
    "community": _("社区（含社区支部）"),
    "elsewhere": _("区外组织"),
    "none": _("未落实"),
}


def membership_figures(scope: Scope, as_of: datetime.date) -> dict:
    """Party members in ``scope`` (a unit's: its retirees wherever they live), each counted once by their home;
    the members reporting to its communities (报到), those away (流动) and those still to register.

    ``homes`` sums to ``party_members``: a member is counted under the first home that holds them.
    """
    homes = members.home_kind_q()  # the lists' own definitions of each home
    counts = members.party_members(scope, as_of).aggregate(
        total=Count("pk"),
        **{kind: Count("pk", filter=condition) for kind, condition in homes.items()},
        not_registered=Count("pk", filter=members.not_registered_q(as_of)),
    )
    mobile = MobileMember.objects.in_scope(scope).open().filter(living_on_q(as_of, "cadre__"))
    return {
        "party_members": counts["total"],
        "homes": {
            "unit_branch": counts["unit_branch"],
            "community": counts["community"],
            "elsewhere": counts["elsewhere"],
            "none": counts["total"] - counts["unit_branch"] - counts["community"] - counts["elsewhere"],
        },
        "registered": members.registrations(scope).filter(living_on_q(as_of, "cadre__")).count(),
        "not_registered": counts["not_registered"],
        "mobile": mobile.count(),
        "mobile_overdue": MobileMember.objects.in_scope(scope).overdue(as_of).count(),
    }


def room_use_figures(scope: Scope, period: Period) -> dict:
    """Hours the rooms in ``scope`` were used in a period: by their host communities and by guests (units'
    branches and other communities' branches), with the guests by name, most hours first.

    For unit staff (whose scope holds no rooms) the hours their unit's branches spent in others' rooms.
    """
    duration = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
    guest = Q(organiser_branch__owner__isnull=False) | (
        Q(organiser_branch__isnull=False) & ~Q(organiser_branch__community_id=F("venue__community_id"))
    )
    used = Activity.objects.held().filter(venue__isnull=False, **_starts_in(period))
    if scope.level == "unit":
        used = used.filter(organiser_branch__owner_id=scope.unit_id)
    else:
        used = used.filter(venue__in=Venue.objects.in_scope(scope))
    totals = used.aggregate(all=Sum(duration), guest=Sum(duration, filter=guest))
    rows = (
        used.filter(guest)
        .values("organiser_branch__owner__name", "organiser_branch__community__name")
        .annotate(total=Sum(duration))
        .order_by("-total", "organiser_branch__owner__name", "organiser_branch__community__name")
    )
    guests: dict[str, float] = {}
    for row in rows:
        name = row["organiser_branch__owner__name"] or row["organiser_branch__community__name"]
        guests[name] = round(guests.get(name, 0.0) + hours_of(row["total"]), 1)
    guest_hours = hours_of(totals["guest"])
    return {
        "host_hours": round(hours_of(totals["all"]) - guest_hours, 1),
        "guest_hours": guest_hours,
        "guests": sorted(guests.items(), key=lambda item: (-item[1], item[0]))[:10],
    }


# --- series and breakdowns for the dashboards (the same definitions, grouped) ---------------------


is_closed = rules.is_closed  # a month is closed once it has ended (the approval rules' definition)


def community_month_figures(community: Community, month: datetime.date, *, today: datetime.date) -> dict:
    """One community's figures of one month, counted from its records: what the street reviews, what the district
    accepts and what the month's ledger stores (the same call, so they cannot differ)."""
    period = Period.month_of(month)
    scope = scopes.community(community.pk, street_id=community.street_id)
    return figures(scope, as_of=min(period.last_day, today), period=period)


def stored_figures(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, dict]:
    """The figures of closed ``months`` as their ledgers stored them for ``scope``, where built after the month.

    One indexed query whatever the data; a month without such a ledger is simply absent (counted live).
    """
    from portal.models import LedgerReport

    if not months:
        return {}
    reports = LedgerReport.objects.filter(kind=LedgerReport.Kind.MONTH, period_start__in=months)
    if scope.level == "community" and scope.community_id is not None:
        reports = reports.filter(level=LedgerReport.Level.COMMUNITY, community_id=scope.community_id)
    elif scope.level == "street" and scope.street_id is not None:
        reports = reports.filter(level=LedgerReport.Level.STREET, street_id=scope.street_id)
    elif scope.level == "district" and scope.district_id is not None:
        reports = reports.filter(level=LedgerReport.Level.DISTRICT, district_id=scope.district_id)
    elif scope.level == "city":
        reports = reports.filter(level=LedgerReport.Level.CITY)
    else:
        return {}
    rows = list(reports.values_list("period_start", "figures", "built_at", "run__started_at"))
    # a month whose records changed after its ledger's build began is counted live until it is built again
    changed = _changed_since(scope, [row[0] for row in rows]) if rows else {}
    return {
        start: numbers
        for start, numbers, built_at, started_at in rows
        if _final(start, numbers, built_at) and not (start in changed and changed[start] >= (started_at or built_at))
    }


def _changed_since(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, datetime.datetime]:
    """The last time a record of each month changed in ``scope`` (MonthChange, written by the month lock)."""
    return dict(
        MonthChange.objects.in_scope(scope)
        .filter(month__in=months)
        .values_list("month")
        .annotate(last=Max("changed_at"))
        .order_by()
    )


def _final(month: datetime.date, numbers: dict, built_at: datetime.datetime) -> bool:
    """A ledger's stored figures are the month's own when built after it ended and complete."""
    return built_at >= local_midnight(next_month(month)) and set(FIGURE_KEYS) <= set(numbers)


def month_figures(scope: Scope, *, month: datetime.date, today: datetime.date) -> dict:
    """The figures of a month: stored by its ledger once it is closed, counted live while it is open."""
    if is_closed(month, today):
        stored = stored_figures(scope, [month]).get(month)
        if stored is not None:
            return stored
    period = Period.month_of(month)
    return figures(scope, as_of=min(period.last_day, today), period=period)


def monthly_activity_series(
    scope: Scope,
    *,
    last_month: datetime.date,
    months: int = 12,
    today: datetime.date | None = None,
    known: dict[datetime.date, dict] | None = None,
) -> dict:
    """Activities held by month and kind, sign-ins and unique participants by month, for ``months`` months.

    Closed months come from their ledgers (one query); only the months without one (the open month, as
    a rule) are counted live, so the cost does not grow with the years of sign-ins behind the dashboard.
    """
    today = today or timezone.localdate()
    first = months_back(last_month, months - 1)
    keys = []
    month = first
    while month <= last_month:
        keys.append(month)
        month = next_month(month)
    stored = stored_figures(scope, [key for key in keys if is_closed(key, today)])
    stored.update({key: numbers for key, numbers in (known or {}).items() if key in keys})  # counted by the caller
    activities = {kind: dict.fromkeys(keys, 0) for kind in Activity.Kind.values}
    sign_ins, unique = dict.fromkeys(keys, 0), dict.fromkeys(keys, 0)
    for key, numbers in stored.items():
        for kind, n in numbers["activities_by_kind"].items():
            activities.setdefault(kind, dict.fromkeys(keys, 0))[key] = n
        sign_ins[key], unique[key] = numbers["sign_ins"], numbers["unique_participants"]
    missing = [key for key in keys if key not in stored]
    if missing:
        _count_months_live(
            scope, Period(missing[0], next_month(missing[-1])), set(missing), activities, sign_ins, unique
        )
    return {
        "months": [f"{month:%Y-%m}" for month in keys],
        "activities_by_kind": {kind: [counts[m] for m in keys] for kind, counts in activities.items()},
        "sign_ins": [sign_ins[m] for m in keys],
        "unique_participants": [unique[m] for m in keys],
    }


def _count_months_live(
    scope: Scope,
    period: Period,
    wanted: set[datetime.date],
    activities: dict[str, dict[datetime.date, int]],
    sign_ins: dict[datetime.date, int],
    unique: dict[datetime.date, int],
) -> None:
    by_kind = (
        Activity.objects.in_scope(scope)
        .held()
        .filter(**_starts_in(period))
        .annotate(month=TruncMonth("starts_at"))
        .values_list("month", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for moment, kind, n in by_kind:
        if _month_of(moment) in wanted:
            activities[kind][_month_of(moment)] = n
    people = (
        SignIn.objects.in_scope(scope)
        .exclude(activity__status=Activity.Status.CANCELLED)
        .filter(**_starts_in(period, "activity__"))
        .annotate(month=TruncMonth("activity__starts_at"))
        .values_list("month")
        .annotate(total=Count("pk"), unique=Count("cadre", distinct=True))
        .order_by()
    )
    for moment, total, distinct in people:
        if _month_of(moment) in wanted:
            sign_ins[_month_of(moment)], unique[_month_of(moment)] = total, distinct


def _month_of(moment: datetime.date) -> datetime.date:
    """The first day of the month TruncMonth gave (a date or an aware datetime in the portal's zone)."""
    day = moment.date() if isinstance(moment, datetime.datetime) else moment
    return month_start(day)


def children_of(scope: Scope) -> tuple[str | None, QuerySet]:
    """The units one level down: districts of the city, streets of a district, communities of a street;
    none below a community (nor for a unit's people, who live anywhere)."""
    if scope.level == "city":
        return "district", District.objects.all().order_by("code")
    if scope.level == "district" and scope.district_id is not None:
        return "street", Street.objects.filter(district_id=scope.district_id).order_by("code")
    if scope.level == "street" and scope.street_id is not None:
        return "community", Community.objects.filter(street_id=scope.street_id).order_by("code")
    return None, Street.objects.none()


def month_breakdown(scope: Scope, *, month: datetime.date, today: datetime.date) -> list[dict]:
    """The drill-down table of a month: from the children's ledgers once it is closed, else counted live."""
    period = Period.month_of(month)
    if is_closed(month, today):
        rows = _stored_breakdown(scope, month)
        if rows is not None:
            return rows
    return breakdown(scope, as_of=min(period.last_day, today), period=period)


def _stored_breakdown(scope: Scope, month: datetime.date) -> list[dict] | None:
    from portal.models import LedgerReport

    level, children = children_of(scope)
    if level is None:
        return []
    units = list(children.only("pk", "name"))
    key = f"{level}_id"
    reports = LedgerReport.objects.filter(
        kind=LedgerReport.Kind.MONTH, period_start=month, level=level, **{f"{key}__in": [unit.pk for unit in units]}
    ).values_list(key, "figures", "built_at", "run__started_at")
    changed = _changed_since(scope, [month]).get(month)
    stored = {
        pk: numbers
        for pk, numbers, built_at, started_at in reports
        if _final(month, numbers, built_at) and not (changed and changed >= (started_at or built_at))
    }
    if len(stored) < len(units):
        return None  # a child without its ledger: the month is counted live, all of it
    return [
        _breakdown_row(
            level, unit, {**stored[unit.pk], "activities": sum(stored[unit.pk]["activities_by_kind"].values())}
        )
        for unit in units
    ]


def breakdown(scope: Scope, *, as_of: datetime.date, period: Period) -> list[dict]:
    """Key figures of each unit one level down (the drill-down table), counted live."""
    return live_month(scope, as_of=as_of, period=period)[1]


def _grouped(queryset: QuerySet, key: str, aggregates: dict) -> dict:
    return {row[key]: row for row in queryset.values(key).annotate(**aggregates).order_by()}


def _sign_ins_by_unit(scope: Scope, period: Period, level: str) -> tuple[dict, dict]:
    """The month's sign-ins of each unit one level down and of the whole scope (``SIGN_IN_AGGREGATES``).

    On PostgreSQL one scan answers both with GROUPING SETS (the sign-ins are the largest table: two
    scans were half the district dashboard's time); elsewhere two ORM queries with the same definition.
    The test suite checks both give the figures of ``figures()``.
    """
    if connection.vendor != "postgresql":
        path = scopes.place_path(level, "activity__community")
        grouped = _grouped(_signed(scope, period), path, SIGN_IN_AGGREGATES)
        return grouped, _signed(scope, period).aggregate(**SIGN_IN_AGGREGATES)
    unit = {"district": "t.district_id", "street": "c.street_id", "community": "a.community_id"}[level]
    where = ["a.starts_at >= %s", "a.starts_at < %s", "a.status <> %s"]
    params: list[datetime.datetime | str | int | None] = [
        local_midnight(period.start),
        local_midnight(period.end),
        str(Activity.Status.CANCELLED),
    ]
    if scope.level == "street":
        where.append("c.street_id = %s")
        params.append(scope.street_id)
    elif scope.level == "district":
        where.append("t.district_id = %s")
        params.append(scope.district_id)
    sql = (
        f"SELECT {unit}, GROUPING({unit}), count(s.id), count(DISTINCT s.cadre_id), "
        "count(DISTINCT s.cadre_id) FILTER (WHERE x.is_party_member) "
        f"FROM {SignIn._meta.db_table} s JOIN {Activity._meta.db_table} a ON a.id = s.activity_id "
        f"JOIN {Community._meta.db_table} c ON c.id = a.community_id "
        f"JOIN {Street._meta.db_table} t ON t.id = c.street_id "
        f"LEFT JOIN {Cadre._meta.db_table} x ON x.id = s.cadre_id "
        f"WHERE {' AND '.join(where)} GROUP BY GROUPING SETS (({unit}), ())"
    )
    grouped, everyone = {}, {"total": 0, "unique": 0, "members": 0}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for unit_pk, is_total, total, unique, members in cursor.fetchall():
            row = {"total": total, "unique": unique, "members": members}
            if is_total:
                everyone = row
            else:
                grouped[unit_pk] = row
    return grouped, everyone


def live_month(scope: Scope, *, as_of: datetime.date, period: Period) -> tuple[dict, list[dict]]:
    """The figures of a scope and the drill-down rows of the units below it, counted live, each scan shared.

    A cadre, an activity and a care case belong to one unit each, so the scope's totals of them are the sums
    of its units' rows: one scan of the roster and one of the month's activities serve both. Distinct
    participants are not additive (one person may take part in two streets), so they are counted once more.
    """
    level, children = children_of(scope)
    if level is None:
        return figures(scope, as_of=as_of, period=period), []
    units = list(children.only("pk", "name"))
    path = scopes.place_path(level, "community")
    aggregates = _cadre_aggregates(as_of)
    cadres = _grouped(_living_cadres(scope, as_of), path, aggregates)
    kinds: dict[int, dict[str, int]] = {}
    for unit_pk, kind, n in _held(scope, period).values_list(path, "kind").annotate(n=Count("pk")).order_by():
        kinds.setdefault(unit_pk, {})[kind] = n
    sign_ins, everyone = _sign_ins_by_unit(scope, period, level)
    overdue = _grouped(
        CareCase.objects.in_scope(scope).overdue(as_of),
        scopes.place_path(level, "cadre__community"),
        {"n": Count("pk")},
    )
    needs = _grouped(Need.objects.in_scope(scope).open_on(as_of), path, {"n": Count("pk")})

    result = _cadre_numbers({key: sum(row[key] for row in cadres.values()) for key in aggregates})
    by_kind: dict[str, int] = {}
    for counts in kinds.values():
        for kind, n in counts.items():
            by_kind[kind] = by_kind.get(kind, 0) + n
    result.update(_activity_numbers(by_kind, everyone, result["party_members"]))
    result.update(visits=_visits(scope, period), care_overdue=sum(row["n"] for row in overdue.values()))
    result.update(_scope_wide_figures(scope, as_of, period))

    rows = []
    for unit in units:
        c, s = cadres.get(unit.pk), sign_ins.get(unit.pk, {})
        numbers = _cadre_numbers(c) if c else _cadre_numbers(dict.fromkeys(aggregates, 0))
        numbers.update(
            activities=sum(kinds.get(unit.pk, {}).values()),
            sign_ins=s.get("total", 0),
            unique_participants=s.get("unique", 0),
            participation_rate=share(s.get("members", 0), numbers["party_members"]),
            care_overdue=overdue.get(unit.pk, {}).get("n", 0),
            needs_open=needs.get(unit.pk, {}).get("n", 0),
        )
        rows.append(_breakdown_row(level, unit, numbers))
    return {key: result[key] for key in FIGURE_KEYS}, rows


def month_view(scope: Scope, *, month: datetime.date, today: datetime.date) -> dict:
    """A month as the dashboard shows it: figures, the 12-month series and the drill-down rows.

    A closed month reads what its ledgers stored; what is missing (the open month, as a rule) is counted
    live once, and the series takes the open month's numbers from those figures instead of recounting.
    """
    period = Period.month_of(month)
    as_of = min(period.last_day, today)
    numbers: dict | None = None
    children: list[dict] | None = None
    if is_closed(month, today):
        numbers = stored_figures(scope, [month]).get(month)
        children = _stored_breakdown(scope, month)
    if numbers is None and children is None:
        numbers, children = live_month(scope, as_of=as_of, period=period)
    elif numbers is None:
        numbers = figures(scope, as_of=as_of, period=period)
    elif children is None:
        children = breakdown(scope, as_of=as_of, period=period)
    series = monthly_activity_series(scope, last_month=month, today=today, known={month: numbers})
    return {"figures": numbers, "series": series, "children": children}


# the columns of the drill-down table: figures of the design card, but activities as one number
BREAKDOWN_FIGURES = (
    "cadres_total",
    "party_members",
    "share_75_plus",
    "activities",
    "sign_ins",
    "unique_participants",
    "participation_rate",
    "care_overdue",
    "needs_open",
)


# their headings: the figures' own labels, activities counted as one
BREAKDOWN_LABELS = {key: FIGURE_LABELS.get(key, FIGURE_LABELS["activities_by_kind"]) for key in BREAKDOWN_FIGURES}


def _breakdown_row(level: str, unit: District | Street | Community, numbers: dict) -> dict:
    return {"level": level, "pk": unit.pk, "name": unit.name, **{key: numbers[key] for key in BREAKDOWN_FIGURES}}


# --- reporting: who submitted the month, on time, and what was approved (DHIS2's reporting rates) -------
# the states, the deadline and "on time" are the approval rules' (``approvals.rules``); here they are counted


def _reporting_counts(month: datetime.date, deadline_day: int, prefix: str = "") -> dict:
    """The reporting aggregates over MonthApproval rows (or over a path to them) of ``month``."""
    state = f"{prefix}state"
    return {
        "submitted": Count("pk", filter=Q(**{f"{state}__in": rules.SUBMITTED_STATES})),
        "on_time": Count("pk", filter=rules.on_time_q([month], deadline_day, prefix)),
        "approved": Count("pk", filter=Q(**{f"{state}__in": rules.APPROVED_STATES})),
        "accepted": Count("pk", filter=Q(**{f"{state}__in": rules.ACCEPTED_STATES})),
    }


def _with_rates(row: dict) -> dict:
    expected = row["expected"]
    return {
        **row,
        **{f"{key}_rate": share(row[key], expected) for key in ("submitted", "on_time", "approved", "accepted")},
    }


def reporting_figures(scope: Scope, month: datetime.date, *, deadline_day: int, today: datetime.date) -> dict:
    """A month's reporting in ``scope``: expected reports (one per community), submitted, on time, approved by the
    street and accepted by the district, with their rates, the same per unit one level down, and the communities
    late (submitted after the deadline) or missing (not submitted and the deadline passed). Three queries."""
    deadline = rules.reporting_deadline(month, deadline_day)
    communities = Community.objects.in_scope(scope)
    approvals = MonthApproval.objects.in_scope(scope).filter(month=month)
    totals = {"expected": communities.count(), **approvals.aggregate(**_reporting_counts(month, deadline_day))}
    level, children = children_of(scope)
    rows = []
    if level is not None:
        expected = _grouped(communities, scopes.place_path(level), {"expected": Count("pk")})
        counts = _grouped(approvals, scopes.place_path(level, "community"), _reporting_counts(month, deadline_day))
        for unit in children:
            row = {
                "level": level,
                "pk": unit.pk,
                "name": unit.name,
                "expected": expected.get(unit.pk, {}).get("expected", 0),
            }
            row.update(
                {key: counts.get(unit.pk, {}).get(key, 0) for key in ("submitted", "on_time", "approved", "accepted")}
            )
            rows.append(_with_rates(row))
    return {
        "month": month,
        "deadline": deadline,
        "deadline_passed": today > deadline,
        **_with_rates(totals),
        "children": rows,
    }


def reporting_trend(scope: Scope, *, last_month: datetime.date, deadline_day: int, months: int = 12) -> dict:
    """Submitted, on-time and accepted rates of the ``months`` months up to ``last_month``: two queries."""
    starts = [months_back(last_month, back) for back in reversed(range(months))]
    expected = Community.objects.in_scope(scope).count()
    rows = _grouped(
        MonthApproval.objects.in_scope(scope).filter(month__in=starts),
        "month",
        {
            "submitted": Count("pk", filter=Q(state__in=rules.SUBMITTED_STATES)),
            "on_time": Count("pk", filter=rules.on_time_q(starts, deadline_day)),
            "accepted": Count("pk", filter=Q(state__in=rules.ACCEPTED_STATES)),
        },
    )

    def rate(start, key):
        value = share(rows.get(start, {}).get(key, 0), expected)
        return None if value is None else round(value * 100, 1)

    return {
        "months": [f"{start:%Y-%m}" for start in starts],
        "expected": expected,
        **{key: [rate(start, key) for start in starts] for key in ("submitted", "on_time", "accepted")},
    }


# --- approved figures: what the districts accepted, summed up the hierarchy -------------------------------

APPROVED_LABELS = {key: FIGURE_LABELS.get(key, FIGURE_LABELS["activities_by_kind"]) for key in CHANGE_TRACKED_FIGURES}


def approved_figures(scope: Scope, month: datetime.date) -> dict:
    """The month's figures as accepted: the sum over the scope's accepted communities of what each held when the
    district accepted it, with how many communities that is, and every figure changed after an unlock."""
    accepted = list(
        MonthApproval.objects.in_scope(scope)
        .filter(month=month, state__in=rules.ACCEPTED_STATES)
        .select_related("community")
        .only("figures", "changes", "community__name", "community__street_id")
    )
    totals: dict[str, float] = dict.fromkeys(CHANGE_TRACKED_FIGURES, 0)
    changes: list[dict] = []
    for approval in accepted:
        for key in CHANGE_TRACKED_FIGURES:
            totals[key] += figure_value(approval.figures, key) or 0
        changes.extend(
            {**change, "community": approval.community.name, "label": APPROVED_LABELS.get(change["figure"], "")}
            for change in approval.changes
        )
    totals["service_hours"] = round(totals["service_hours"], 1)
    return {
        "totals": totals,
        "accepted": len(accepted),
        "expected": Community.objects.in_scope(scope).count(),
        "changes": changes,
        "changed": {change["figure"] for change in changes},
    }


# the drill-down table's columns in the approved view: the figures that add up from communities
APPROVED_TABLE_FIGURES = (
    "cadres_total",
    "party_members",
    "activities",
    "sign_ins",
    "visits",
    "care_overdue",
    "needs_open",
)


def approved_breakdown(scope: Scope, month: datetime.date) -> list[dict]:
    """The units one level down with what their accepted communities held when accepted, and how many of their
    communities that is (a unit with none accepted has no numbers: 未审定, never 0). Two queries."""
    level, children = children_of(scope)
    if level is None:
        return []
    expected = _grouped(Community.objects.in_scope(scope), scopes.place_path(level), {"n": Count("pk")})
    sums: dict[int, dict] = {}
    for unit_pk, numbers in (
        MonthApproval.objects.in_scope(scope)
        .filter(month=month, state__in=rules.ACCEPTED_STATES)
        .values_list(scopes.place_path(level, "community"), "figures")
    ):
        row = sums.setdefault(unit_pk, {"accepted": 0, **dict.fromkeys(APPROVED_TABLE_FIGURES, 0)})
        row["accepted"] += 1
        for key in APPROVED_TABLE_FIGURES:
            row[key] += figure_value(numbers, key) or 0
    rows = []
    for unit in children.only("pk", "name"):
        numbers = sums.get(unit.pk)
        rows.append(
            {
                "level": level,
                "pk": unit.pk,
                "name": unit.name,
                "expected": expected.get(unit.pk, {}).get("n", 0),
                "accepted": numbers["accepted"] if numbers else 0,
                "figures": {key: numbers[key] for key in APPROVED_TABLE_FIGURES} if numbers else None,
            }
        )
    return rows


# --- the pilot scorecard's measures, per community of a scope (grouped: a few queries whatever the size) ---


def community_measures(scope: Scope, period: Period, *, deadline_day: int, today: datetime.date) -> dict[int, dict]:
    """Per community of ``scope``: each scorecard measure over ``period`` as (value, part, whole).

    The same definitions as the figures above, grouped by community: ``six_haves`` is share_rooms_six_haves,
    ``branch_formed`` is 1 unless the community is among communities_needing_branch, ``activities`` the monthly
    mean of activities held, ``attendance`` the branch_attendance_rate, ``visits_on_time`` the open care cases
    not overdue, ``needs_30_days`` the needs raised in the period and resolved within 30 days, and
    ``reporting_on_time`` the period's months reported by the deadline.
    """
    as_of = min(period.last_day, today)
    ids = list(Community.objects.in_scope(scope).values_list("pk", flat=True))
    rooms = _grouped(
        Venue.objects.in_scope(scope).party_rooms().filter(is_active=True),
        "community_id",
        {"total": Count("pk"), "six": Count("pk", filter=Q(**{f: True for f in Venue.SIX_HAVES}))},
    )
    needing = set(communities_needing_branch(scope, as_of).values_list("pk", flat=True))
    held = _grouped(_held(scope, period), "community_id", {"n": Count("pk")})
    attendance: dict[int, list[int]] = {}
    # each community's row is its own branches' (a unit's branch meeting there is the unit's: branch_activities)
    activities = branch_activities(scope, local_midnight(period.start), local_midnight(period.end)).filter(
        organiser_branch__owner__isnull=True
    )
    for community_id, expected, attended in with_attendance(activities).values_list(
        "organiser_branch__community_id", "expected", "attended"
    ):
        sums = attendance.setdefault(community_id, [0, 0])
        sums[0] += attended or 0
        sums[1] += expected or 0
    cases = _grouped(CareCase.objects.in_scope(scope).open_on(as_of), "cadre__community_id", {"n": Count("pk")})
    overdue = _grouped(CareCase.objects.in_scope(scope).overdue(as_of), "cadre__community_id", {"n": Count("pk")})
    within = Q(resolved_on__isnull=False, resolved_on__lte=F("raised_on") + datetime.timedelta(days=30))
    needs = _grouped(
        Need.objects.in_scope(scope).filter(raised_on__gte=period.start, raised_on__lt=period.end),
        "community_id",
        {"n": Count("pk"), "within": Count("pk", filter=within)},
    )
    reported = _grouped(
        MonthApproval.objects.in_scope(scope).filter(month__in=period.months),
        "community_id",
        {"n": Count("pk", filter=rules.on_time_q(period.months, deadline_day))},
    )
    months = len(period.months)

    def measure(part, whole, *, empty=None):
        return (share(part, whole) if whole else empty, part, whole)

    result = {}
    for pk in ids:
        room = rooms.get(pk, {"total": 0, "six": 0})
        attended, expected = attendance.get(pk, [0, 0])
        case_total = cases.get(pk, {}).get("n", 0)
        case_late = overdue.get(pk, {}).get("n", 0)
        need = needs.get(pk, {"n": 0, "within": 0})
        activities_held = held.get(pk, {}).get("n", 0)
        result[pk] = {
            "six_haves": measure(room["six"], room["total"], empty=0),
            "branch_formed": (0 if pk in needing else 1, 0 if pk in needing else 1, 1),
            "activities": (round(activities_held / months, 2), activities_held, months),
            "attendance": measure(attended, expected),
            "visits_on_time": measure(case_total - case_late, case_total),
            "needs_30_days": measure(need["within"], need["n"]),
            "reporting_on_time": measure(reported.get(pk, {}).get("n", 0), months, empty=0),
        }
    return result
