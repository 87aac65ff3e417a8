"""The needs list (需求清单): raising a need, moving it along, and matching it to who can meet it."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from activities.models import Need, NeedChange, Resource
from approvals.lock import assert_month_open
from cadres.models import Cadre, Group, Talent, Visit
from cadres.services import record_visit
from core import dates

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from core.scope import Scope


@transaction.atomic
def raise_need(*, need: Need, by: User | None = None) -> Need:
    """Put a need on the community's list (待对接), from a cadre or the community; its first step is dated."""
    if need.cadre is not None and need.cadre.community_id != need.community_id:
        raise ValidationError(_("提出人不住在这个社区。"), code="other_community")
    assert_month_open(need.community_id, need.raised_on)
    need.title, need.description = need.title.strip(), need.description.strip()
    need.status = Need.Status.OPEN
    need.raised_by = by
    need.full_clean()
    need.save()
    NeedChange.objects.create(need=need, from_status="", to_status=Need.Status.OPEN, on=need.raised_on, by=by)
    return need


@transaction.atomic
def move_need(
    *,
    need: Need,
    to: str,
    on: datetime.date,
    by: User | None = None,
    note: str = "",
    talent: Talent | None = None,
    group: Group | None = None,
    resource: Resource | None = None,
    taken_by_name: str = "",
    outcome: str = "",
) -> Need:
    """Move a need one step (待对接 → 已对接 → 已解决, or to 已关闭), dated; any other move is refused."""
    dates.done(on)  # a step of a need is dated when it happened: never in the future
    need = Need.objects.select_for_update().get(pk=need.pk)  # two clerks at once: one move wins, the other is told
    assert_month_open(need.community_id, on)  # the step counts in its month's figures
    to = Need.Status(to)
    current = Need.Status(need.status)
    if not need.can_move_to(to):
        raise ValidationError(
            _("需求“%(title)s”当前为“%(from)s”，不能改为“%(to)s”。")
            % {"title": need.title, "from": current.label, "to": to.label},
            code="transition",
        )
    last = need.matched_on or need.raised_on
    if on < last:
        raise ValidationError(
            _("日期不能早于%(date)s。") % {"date": date_format(last, "SHORT_DATE_FORMAT")}, code="dates"
        )
    if to == Need.Status.MATCHED:
        if not (talent or group or resource or taken_by_name.strip()):
            raise ValidationError(_("请选择或填写接单的人才、团队、资源或单位。"), code="taker_required")
        need.taken_by_talent, need.taken_by_group, need.taken_by_resource = talent, group, resource
        need.taken_by_name = taken_by_name.strip()
        need.matched_on = on
    elif to == Need.Status.RESOLVED:
        need.resolved_on = on
        need.outcome = outcome.strip()
    elif to == Need.Status.CLOSED:
        need.closed_on = on
        need.outcome = outcome.strip() or note.strip()
    need.status = to
    need.save()
    NeedChange.objects.create(need=need, from_status=current, to_status=to, on=on, by=by, note=note.strip()[:200])
    return need


def suggestions_for(need: Need, *, scope: Scope, limit: int = 8) -> dict:
    """Who could take a need: talents, volunteer teams and resources of its category, nearest first.

    Only what ``scope`` may see is suggested: a community worker gets their own community's, the
    bureau the whole street's (the need's community first).

    003: "居民点单、社区派单、达人接单" — a resident orders, the community dispatches, a talent takes it.
    """
    community = need.community
    nearest = Case(When(cadre__community_id=community.pk, then=Value(0)), default=Value(1), output_field=IntegerField())
    talents = (
        Talent.objects.in_scope(scope)
        .available()
        .filter(category=need.category, cadre__community__street_id=community.street_id)
        .select_related("cadre", "cadre__community")
        .annotate(distance=nearest)
        .order_by("distance", "cadre__name")[:limit]
    )
    groups = (
        Group.objects.in_scope(scope)
        .active()
        .filter(kind=Group.Kind.VOLUNTEER, category=need.category, community__street_id=community.street_id)
        .select_related("community")
        .annotate(
            distance=Case(When(community_id=community.pk, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("distance", "name")[:limit]
    )
    resources = (
        Resource.objects.in_scope(scope)
        .available()
        .filter(community=community, category=need.category)
        .order_by("name")
    )
    return {"talents": list(talents), "groups": list(groups), "resources": list(resources[:limit])}


@transaction.atomic
def record_visit_with_need(
    *,
    cadre: Cadre,
    visited_on: datetime.date,
    visitors: str,
    kind: str,
    summary: str = "",
    by: User | None = None,
    need: dict | None = None,
) -> tuple[Visit, Need | None]:
    """Record a visit and, in the same step, the need it found (raised for the cadre's community)."""
    visit = record_visit(cadre=cadre, visited_on=visited_on, visitors=visitors, kind=kind, summary=summary, by=by)
    raised = None
    if need:
        raised = raise_need(
            need=Need(community=cadre.community, cadre=cadre, raised_on=visited_on, visit=visit, **need), by=by
        )
    return visit, raised
