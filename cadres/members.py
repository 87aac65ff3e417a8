"""一方隶属、多方管理: each party member's one home, and the lists the workers act on.

Every list is a queryset over ``Cadre`` (or the records) inside a scope, so the worker page, the admin list,
the exports and the figures count the same people. A member *lives* in ``Cadre.community``; their *home* is
one of: a current 组织关系在本支部 membership (``home_branch``), the community itself
(``membership_in_community``), or a party organisation outside the district (``membership_elsewhere``).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.lock import assert_month_open
from cadres.models import (
    Attendance,
    AttendanceExcuse,
    BranchMembership,
    Cadre,
    MobileContact,
    MobileMember,
    ResidenceRegistration,
)
from cadres.models.people import living_on_q, living_q
from core.dates import month_start, next_month
from core.scope import Scope

HELD = BranchMembership.Relation.HELD


def _home_memberships():
    return BranchMembership.objects.filter(relation=HELD, left_on__isnull=True)


def party_members(scope: Scope, as_of: datetime.date) -> QuerySet:
    """Living party members who live inside ``scope`` (a unit's: its retirees wherever they live)."""
    return Cadre.objects.in_scope(scope).filter(is_party_member=True).filter(living_on_q(as_of))


def with_home(cadres: QuerySet) -> QuerySet:
    """Annotate ``home_branch`` (name), ``home_branch_community_id`` and ``home_unit`` (the branch's unit)."""
    home = _home_memberships().filter(cadre=OuterRef("pk"))
    return cadres.annotate(
        home_branch=Subquery(home.values("branch__name")[:1]),
        home_branch_community_id=Subquery(home.values("branch__community_id")[:1]),
        home_unit=Subquery(home.values("branch__owner__name")[:1]),
    )


def _has_home_q() -> Q:
    return (
        Q(membership_in_community=True)
        | ~Q(membership_elsewhere="")
        | Q(Exists(_home_memberships().filter(cadre=OuterRef("pk"))))
    )


def home_kind_q() -> dict[str, Q]:
    """Each kind of home as a condition on a party member, exclusive, in the order a member is counted (the
    first that holds them): a unit's branch, their community (a community branch or the community itself),
    an organisation outside the district. A member matching none has no home (``without_home``)."""
    held = _home_memberships().filter(cadre=OuterRef("pk"))
    unit_branch = Q(Exists(held.filter(branch__owner__isnull=False)))
    community = Q(Exists(held.filter(branch__owner__isnull=True))) | Q(membership_in_community=True)
    elsewhere = ~Q(membership_elsewhere="")
    return {
        "unit_branch": unit_branch,
        "community": ~unit_branch & community,
        "elsewhere": ~unit_branch & ~community & elsewhere,
    }


def _home_where_they_live_q() -> Q:
    """The home is in the community they live in: the community itself or a branch meeting there."""
    return Q(membership_in_community=True) | Q(
        Exists(_home_memberships().filter(cadre=OuterRef("pk"), branch__community_id=OuterRef("community_id")))
    )


def without_home(scope: Scope, as_of: datetime.date) -> QuerySet:
    """Party members with no organisational home at all: no branch, not the community, nothing elsewhere."""
    return party_members(scope, as_of).exclude(_has_home_q())


def not_registered_q(as_of: datetime.date) -> Q:
    """The condition of 居住未报到 on a party member on ``as_of`` (for a filter or a conditional count): not
    living elsewhere (易地居住, an excuse in force then), not away, home not where they live, not reported."""
    registered = ResidenceRegistration.objects.current().filter(
        cadre=OuterRef("pk"), community_id=OuterRef("community_id")
    )
    away = MobileMember.objects.open().filter(cadre=OuterRef("pk"))
    elsewhere = AttendanceExcuse.objects.in_force_on(as_of).filter(cadre=OuterRef("pk"), reason=Attendance.LIVES_AWAY)
    return ~Q(Exists(elsewhere)) & ~_home_where_they_live_q() & ~Q(Exists(registered)) & ~Q(Exists(away))


def not_registered(scope: Scope, as_of: datetime.date) -> QuerySet:
    """居住未报到: members whose home is not where they live, who have not reported there and are not away."""
    return party_members(scope, as_of).filter(not_registered_q(as_of))


def registrations(scope: Scope) -> QuerySet:
    """Current registrations in scope, each with the member's home branch and unit."""
    home = _home_memberships().filter(cadre=OuterRef("cadre_id"))
    return (
        ResidenceRegistration.objects.in_scope(scope)
        .current()
        .filter(living_q("cadre__"))
        .select_related("cadre", "community", "cadre__former_unit")
        .annotate(
            home_branch=Subquery(home.values("branch__name")[:1]),
            home_unit=Subquery(home.values("branch__owner__name")[:1]),
        )
        .order_by("community__code", "cadre__name_pinyin", "pk")
    )


def mobile_members(scope: Scope) -> QuerySet:
    """Open mobile records in scope, with ``last_seen`` (the last contact, else the day they left)."""
    return (
        MobileMember.objects.in_scope(scope)
        .open()
        .filter(living_q("cadre__"))
        .with_last_contact()
        .select_related("cadre", "cadre__community")
    )


def by_due_date(records, as_of: datetime.date) -> list:
    """Mobile records, each with ``due_on`` and ``days_overdue``, earliest due first."""
    records = list(records)
    for record in records:
        record.due_on = record.due_on_after(record.last_seen)
        record.days_overdue = (as_of - record.due_on).days
    return sorted(records, key=lambda record: (record.due_on, record.cadre.name_pinyin, record.pk))


def home_text(cadre: Cadre) -> str:
    """Where a member's organisational relation is, in words (``cadre`` annotated by ``with_home``)."""
    if getattr(cadre, "home_branch", None):
        return f"{cadre.home_unit}·{cadre.home_branch}" if cadre.home_unit else cadre.home_branch
    if cadre.membership_in_community:
        return _("本社区")
    return cadre.membership_elsewhere or _("未落实")


# --- writes --------------------------------------------------------------------------------------


def register(*, cadre: Cadre, on: datetime.date, by=None, follow_up: str = "") -> ResidenceRegistration:
    """Record that ``cadre`` reported to the community where they live (refused, with why, if already)."""
    registration = ResidenceRegistration(
        cadre=cadre, community_id=cadre.community_id, reported_on=on, created_by=by, follow_up=follow_up
    )
    registration.full_clean()
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError:
        raise ValidationError(_("该党员已在一个社区报到，请先结束原来的报到。"), code="registered") from None
    return registration


def follow_up_registration(*, registration: ResidenceRegistration, on: datetime.date, note: str, status: str):
    """Add a follow-up (and the status it leaves the registration in)."""
    line = f"{on:%Y-%m-%d} {note}".strip()
    registration.follow_up = f"{registration.follow_up}\n{line}".strip() if registration.follow_up else line
    registration.followed_up_on = on
    registration.status = status
    if status == ResidenceRegistration.Status.ENDED:
        registration.ended_on = on
    registration.full_clean()
    registration.save()
    return registration


def record_contact(*, mobile: MobileMember, on: datetime.date, note: str = "", by=None) -> MobileContact:
    contact = MobileContact(mobile=mobile, contacted_on=on, note=note, by=by)
    contact.full_clean()
    contact.save()
    return contact


def _assert_months_since_open(cadre: Cadre, day: datetime.date) -> None:
    """A mobile record's dates decide on which days the member was excused from branch life (流动党员): a date
    in a past month changes that month's attendance and every month since, in the communities of the member's
    branches and home. Each such month asks the lock (refused, saying why, when frozen; marked changed when
    closed), as any other record of a past month does."""
    communities = {cadre.community_id}
    communities |= set(BranchMembership.objects.filter(cadre=cadre).values_list("branch__community_id", flat=True))
    this_month = month_start(timezone.localdate())
    month = month_start(day)
    while month < this_month:
        for community_id in sorted(communities):
            assert_month_open(community_id, month)
        month = next_month(month)


@transaction.atomic
def record_mobile(*, mobile: MobileMember) -> MobileMember:
    """Put a member on the mobile-members list from the day they left (the months since ask the lock)."""
    mobile.full_clean()
    _assert_months_since_open(mobile.cadre, mobile.left_on)
    mobile.save()
    return mobile


@transaction.atomic
def mark_returned(*, mobile: MobileMember, on: datetime.date) -> MobileMember:
    """The member came back on ``on`` (the months since ask the lock: they are expected again from that day)."""
    mobile.returned_on = on
    mobile.full_clean()
    _assert_months_since_open(mobile.cadre, on)
    mobile.save(update_fields=["returned_on"])
    return mobile
