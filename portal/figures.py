"""The figures of the design card, one definition for dashboards, ledgers and exports.

Every figure is a database aggregate over the rows of a scope, so the cost grows with
the number of communities, not with the number of cadres or sign-ins. Figures whose
records do not exist yet in the portal (visits, needs, the time bank) are ``None``.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q

from activities.models import Activity, SignIn
from activities.selectors import local_midnight, next_month
from cadres.models import Cadre, PartyBranch
from cadres.models.people import born_on_or_before_age
from cadres.selectors import communities_needing_branch
from communities.models import Venue
from communities.scope import Scope

# age bands of the design card: (key, youngest age, oldest age) inclusive
AGE_BANDS = (
    ("<60", None, 59),
    ("60-69", 60, 69),
    ("70-74", 70, 74),
    ("75-79", 75, 79),
    ("80-89", 80, 89),
    ("90+", 90, None),
)
NOT_YET_RECORDED = ("visits", "care_overdue", "needs_opened", "needs_resolved", "needs_open", "median_days_to_resolve",
                    "service_hours", "points_redeemed", "points_outstanding", "talents_by_category")  # fmt: skip


@dataclass(frozen=True)
class Period:
    """[start, end) in local dates; the figures' "in the period"."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        start = datetime.date(year, month, 1)
        return cls(start, next_month(start))


def _share(part, whole):
    return round(part / whole, 4) if whole else None


def _alias(band_key: str) -> str:
    return "band_" + band_key.replace("<", "under").replace("+", "_plus").replace("-", "_")


def cadre_figures(scope: Scope, as_of: datetime.date) -> dict:
    """Living cadres, party members and age bands on ``as_of`` (one query)."""
    aggregates = {"cadres_total": Count("pk"), "party_members": Count("pk", filter=Q(is_party_member=True))}
    for key, youngest, oldest in AGE_BANDS:
        condition = Q()
        if youngest is not None:
            condition &= Q(birth_date__lte=born_on_or_before_age(youngest, as_of))
        if oldest is not None:
            condition &= Q(birth_date__gt=born_on_or_before_age(oldest + 1, as_of))
        aggregates[_alias(key)] = Count("pk", filter=condition)
    aggregates["aged_75_plus"] = Count("pk", filter=Q(birth_date__lte=born_on_or_before_age(75, as_of)))
    living = Cadre.objects.in_scope(scope).filter(Q(deceased_on__isnull=True) | Q(deceased_on__gt=as_of))
    row = living.filter(birth_date__lte=as_of).aggregate(**aggregates)
    return {
        "cadres_total": row["cadres_total"],
        "party_members": row["party_members"],
        "age_bands": {key: row[_alias(key)] for key, _y, _o in AGE_BANDS},
        "share_75_plus": _share(row["aged_75_plus"], row["cadres_total"]),
    }


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
        "share_branches_without_venue": _share(branches["without_venue"], branches["total"]),
        "share_rooms_six_haves": _share(room_counts["six"], room_counts["total"]),
    }


def activity_figures(scope: Scope, period: Period, party_members: int) -> dict:
    """Activities by kind, sign-ins and participation in a period."""
    in_period = {"starts_at__gte": local_midnight(period.start), "starts_at__lt": local_midnight(period.end)}
    by_kind = dict(
        Activity.objects.in_scope(scope)
        .held()
        .filter(**in_period)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    sign_ins = (
        SignIn.objects.in_scope(scope)
        .exclude(activity__status=Activity.Status.CANCELLED)
        .filter(**{f"activity__{key}": value for key, value in in_period.items()})
        .aggregate(total=Count("pk"), unique=Count("cadre", distinct=True))
    )
    return {
        "activities_by_kind": {kind: by_kind.get(kind, 0) for kind in Activity.Kind.values},
        "sign_ins": sign_ins["total"],
        "unique_participants": sign_ins["unique"],
        "participation_rate": _share(sign_ins["unique"], party_members),
    }


def figures(scope: Scope, *, as_of: datetime.date, period: Period) -> dict:
    """Every figure of the design card for a scope, as of a date and over a period."""
    result = cadre_figures(scope, as_of)
    result.update(organisation_figures(scope, as_of))
    result.update(activity_figures(scope, period, result["party_members"]))
    result.update({key: None for key in NOT_YET_RECORDED})
    return result
