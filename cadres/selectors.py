"""Reads of the cadres app that screens share."""

import re

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.utils import timezone

from cadres.models import BranchMembership, Cadre, CareCase, PartyBranch, Visit
from cadres.models.people import born_on_or_before_age, living_on_q
from communities.models import Community
from core.numbers import share


def search_cadres(*, community: Community, query: str, limit: int = 20) -> list[Cadre]:
    """Living cadres of a community found by name, pinyin initials or full pinyin, or phone's last 4 digits.

    ``zgw`` and ``zhangguowei`` both find 张国伟; ``5678`` finds whoever's phone ends in 5678.
    """
    text = re.sub(r"\s+", "", query or "").lower()
    cadres = Cadre.objects.living().in_community(community)
    if not text:
        return cadres.none()
    if text.isdigit() and len(text) == 4:
        cadres = cadres.filter(phone_tail=text)
    elif text.isascii() and text.isalpha():
        cadres = cadres.filter(Q(name_initials__startswith=text) | Q(name_pinyin__startswith=text))
    else:
        cadres = cadres.filter(name__contains=text)
    return _as_results(cadres.order_by("name"))[:limit]


def search_result(*, community: Community, pk: int) -> Cadre | None:
    """One cadre as a search result shows them (after a tap or an undo from the results)."""
    return _as_results(Cadre.objects.living().in_community(community).filter(pk=pk)).first()


def _as_results(cadres):
    # what tells two people of the same name apart at a glance: age, phone tail, branch
    branch = BranchMembership.objects.current().filter(cadre=OuterRef("pk")).order_by("relation", "pk")
    return cadres.only("name", "gender", "birth_date", "community_id", "phone_tail").annotate(
        branch_name=Subquery(branch.values("branch__name")[:1])
    )


def offline_roster(*, community: Community) -> list[dict]:
    """What the sign-in page needs to find a community's living cadres with no signal: the keys the search
    matches on and what a result row shows (name, age, phone tail, branch) — nothing more. One query."""
    from core.privacy import age_by_month

    today = timezone.localdate()
    rows = _as_results(Cadre.objects.living().in_community(community).order_by("name")).values_list(
        "pk", "name", "name_initials", "name_pinyin", "phone_tail", "birth_date", "branch_name"
    )
    return [
        {
            "pk": pk,
            "name": name,
            "initials": initials,
            "pinyin": pinyin,
            "tail": tail,
            "age": age_by_month(born, today),
            "branch": branch or "",
        }
        for pk, name, initials, pinyin, tail, born, branch in rows
    ]


def self_sign_in_name(name: str) -> str:
    """A name as the QR page looks it up and counts its failures: full-width forms folded, no spaces."""
    from cadres.parsers import clean_text

    return clean_text(name).replace(" ", "")[:50]


def find_cadre_for_self_sign_in(*, community: Community, name: str, digits: str) -> Cadre | None:
    """The living cadre of ``community`` with this exact name whose phone or ID number ends in ``digits``."""
    from cadres.parsers import clean_text

    name = self_sign_in_name(name)
    digits = clean_text(digits).replace(" ", "").upper()
    if not name or len(digits) != 4:
        return None
    for cadre in Cadre.objects.living().in_community(community).filter(name=name):
        # few people share a name in one community: decrypting their numbers to compare is cheap
        if cadre.phone_tail == digits or cadre.id_number[-4:] == digits:
            return cadre
    return None


# --- party organisation, care and visits -------------------------------------------------------


def communities_needing_branch(scope, as_of):
    """Communities with 3+ living party-member cadres whose membership is held there and no formal branch.

    000: where three or more members' organisational relations are in the community, a branch
    (or party group) should be set up there.
    """
    # counted from the cadres' side (their covering index), not by joining every community to its cadres
    held = (
        Cadre.objects.in_scope(scope)
        .filter(is_party_member=True, membership_in_community=True)
        .filter(living_on_q(as_of))
        .order_by()
        .values("community_id")
    )
    counts = held.annotate(n=Count("pk")).filter(n__gte=3).values("community_id")
    members = held.filter(community_id=OuterRef("pk")).annotate(n=Count("pk")).values("n")
    formal_branch = PartyBranch.objects.filter(kind=PartyBranch.Kind.FORMAL, community_id__isnull=False)
    return (
        Community.objects.in_scope(scope)
        .filter(pk__in=counts)
        .exclude(pk__in=formal_branch.values("community_id"))
        .annotate(members_held=Subquery(members, output_field=IntegerField()))
    )


def _by_due_date(cases, as_of):
    """The cases (annotated with ``last_seen``), each with ``due_on`` and ``days_overdue``, earliest due first."""
    cases = list(cases.select_related("cadre", "cadre__community"))
    for case in cases:
        case.due_on = case.due_on_after(case.last_seen)
        case.days_overdue = (as_of - case.due_on).days
    return sorted(cases, key=lambda case: (case.due_on, case.cadre.name))


def care_cases_overdue(cases, *, as_of):
    """Open care cases of ``cases`` not visited within their interval on ``as_of``, most overdue first."""
    return _by_due_date(cases.overdue(as_of), as_of)


def care_cases_due(cases, *, as_of):
    """Every open care case of ``cases`` with its next due date, most overdue first (``days_overdue`` > 0: late)."""
    return _by_due_date(cases.open_on(as_of).with_last_visit(as_of), as_of)


def campaign_targets(campaign, cadres):
    """The cadres of ``cadres`` a campaign must reach: living, aged ``min_age``+ on its first day, or in care."""
    target = Q(pk__in=[])
    if campaign.min_age:
        target |= Q(birth_date__lte=born_on_or_before_age(campaign.min_age, campaign.starts_on))
    if campaign.include_care_cases:
        in_care = CareCase.objects.open_on(campaign.starts_on).filter(cadre=OuterRef("pk"))
        target |= Q(Exists(in_care))
    return cadres.filter(living_on_q(campaign.starts_on)).filter(target)


def campaign_progress(campaign, *, scope):
    """Per community of ``scope``: how many cadres the campaign must reach and how many were visited in its window."""
    visited = Visit.objects.filter(
        cadre=OuterRef("pk"), visited_on__gte=campaign.starts_on, visited_on__lte=campaign.ends_on
    )
    rows = (
        campaign_targets(campaign, Cadre.objects.in_scope(scope))
        .annotate(visited=Exists(visited))
        .values("community_id", "community__name", "community__street__name")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(visited=True)))
        .order_by("community__street__name", "community__name")
    )
    return [
        {
            "community_id": row["community_id"],
            "community": row["community__name"],
            "street": row["community__street__name"],
            "total": row["total"],
            "done": row["done"],
            "share": share(row["done"], row["total"]),
        }
        for row in rows
    ]


COMMUNITIES_PER_BATCH = 100


def roster_batches(cadres):
    """The cadres of ``cadres`` a batch of communities at a time, in the order a clerk files them.

    Any number of cadres in bounded memory without a server-side cursor (none survives PgBouncer's
    transaction mode): the community ids are read first (thousands at most), then each batch of 100
    communities is one ordinary query, ordered by community code, name and id.
    """
    community_ids = list(cadres.order_by().values_list("community_id", flat=True).distinct())
    codes = dict(Community.objects.filter(pk__in=community_ids).values_list("pk", "code"))
    community_ids.sort(key=lambda pk: codes.get(pk, ""))
    for start in range(0, len(community_ids), COMMUNITIES_PER_BATCH):
        batch = community_ids[start : start + COMMUNITIES_PER_BATCH]
        yield cadres.filter(community_id__in=batch).order_by("community__code", "name", "pk")
