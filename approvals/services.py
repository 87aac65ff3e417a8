"""Steps of a community's month up the hierarchy, and the to-dos they leave: every step is taken here.

Each step is written with the month's row locked (``select_for_update``), as an ``ApprovalStep`` and an audit
event; a refusal says why and writes nothing. The month's figures and completeness checks are the top layer's:
it hands them over once at start-up (``provide``), so this package stays low enough for every writer to ask.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Role, roles_of
from approvals.models import ApprovalStep, MonthApproval, State
from approvals.rules import (
    ACTION_LABELS,
    ROLE_LABELS,
    TODO_LABELS,
    TRANSITIONS,
    forward_steps,
    last_closed_month,
    reporting_deadline,
)
from communities.models import AuditEvent, Community, District
from core.audit import record_event
from core.dates import next_month
from core.scope import Scope, scope_of


@dataclass(frozen=True)
class MonthFacts:
    """What the top layer knows of a community's month: its completeness checks, its figures (as the
    dashboards count them), the reporting deadline day, and what to do once a month is accepted."""

    checks: Callable[[int, datetime.date], list[dict]]
    figures: Callable[[Community, datetime.date], dict]
    deadline_day: Callable[[], int]
    accepted: Callable[[MonthApproval], None]


_facts: list[MonthFacts] = []


def provide(facts: MonthFacts) -> None:
    """Called once by the top layer's app config."""
    _facts[:] = [facts]


def facts() -> MonthFacts:
    if not _facts:
        raise ImproperlyConfigured("the top layer provides the month's facts (approvals.services.provide)")
    return _facts[0]


def approval_for(community: Community, month: datetime.date) -> MonthApproval:
    """The month's approval record (open until someone submits it)."""
    approval, _created = MonthApproval.objects.get_or_create(community=community, month=month.replace(day=1))
    return approval


@dataclass(frozen=True)
class Actor:
    """What the approval rules read of a user, read once per page (not once per month and action)."""

    user: Any
    roles: frozenset
    scope: Scope
    several_districts: bool

    @classmethod
    def of(cls, user: Any) -> Actor:
        return cls(
            user=user,
            roles=frozenset(roles_of(user)),
            scope=scope_of(user),
            several_districts=District.objects.count() > 1,
        )


def month_label(month: datetime.date) -> str:
    """2026年11月 (November 2026 in English): the month as the user's language writes it."""
    return date_format(month, "YEAR_MONTH_FORMAT")


def refusal(
    approval: MonthApproval, action: str, user: Any, *, actor: Actor | None = None, in_scope: bool | None = None
) -> str | None:
    """Why ``user`` may not take ``action`` on ``approval`` now, or None when they may.

    A page that lists many months passes the ``actor`` (read once) and ``in_scope=True`` for months it read
    through the user's scope, so a list costs no query per month and action.
    """
    actor = actor or Actor.of(user)
    transition = TRANSITIONS.get(action)
    if transition is None:
        return _("没有这个操作。")
    if transition.role not in actor.roles:
        return _("只有%(role)s可以%(action)s。") % {
            "role": ROLE_LABELS[transition.role],
            "action": ACTION_LABELS[action],
        }
    if in_scope is None:
        in_scope = Community.objects.in_scope(actor.scope).filter(pk=approval.community_id).exists()
    if actor.scope.level not in transition.levels or not in_scope:
        return _("%(community)s不在您的管辖范围内。") % {"community": approval.community.name}
    if approval.state not in transition.sources:
        return _("%(month)s当前为“%(state)s”，不能%(action)s。") % {
            "month": month_label(approval.month),
            "state": approval.get_state_display(),
            "action": ACTION_LABELS[action],
        }
    if action == "confirm" and not actor.several_districts:
        return _("只有一个区县时，区审定即为最终审定。")
    if action == "unlock" and approval.state == State.CONFIRMED and actor.scope.level != "city":
        return _("市已确认的月份只能由市级解锁。")
    if action == "submit" and next_month(approval.month) > timezone.localdate():
        return _("本月尚未结束，月末后再提交。")
    return None


def allowed_actions(
    approval: MonthApproval, user: Any, *, actor: Actor | None = None, in_scope: bool | None = None
) -> list[str]:
    """The actions ``user`` may take on ``approval`` now (the buttons a page shows)."""
    actor = actor or Actor.of(user)
    if in_scope is None:
        in_scope = Community.objects.in_scope(actor.scope).filter(pk=approval.community_id).exists()
    return [action for action in TRANSITIONS if refusal(approval, action, user, actor=actor, in_scope=in_scope) is None]


def unexplained_checks(approval: MonthApproval, explanations: dict[str, str]) -> list[str]:
    """The failing completeness checks of the month that have no written reason."""
    failing = [check for check in facts().checks(approval.community_id, approval.month) if check["missing"]]
    return [check["check"] for check in failing if not (explanations.get(check["code"]) or "").strip()]


def needs_reason(approval: MonthApproval, action: str) -> bool:
    """A return and an unlock need a reason; so does approving a month whose failing checks are unexplained."""
    if TRANSITIONS[action].needs_reason:
        return True
    return action == "approve" and bool(unexplained_checks(approval, approval.explanations))


def act(
    *, approval: MonthApproval, action: str, by: Any, reason: str = "", explanations: dict[str, str] | None = None
) -> MonthApproval:
    """Take ``action`` on ``approval`` for ``by``, or refuse with why (nothing is written then)."""
    reason = (reason or "").strip()[:300]
    try:
        return _act(approval=approval, action=action, by=by, reason=reason, explanations=explanations)
    except ValidationError as refused:
        audit_refusal(approval=approval, action=action, by=by, why=" ".join(refused.messages))
        raise


def audit_refusal(*, approval: MonthApproval, action: str, by: Any, why: str) -> None:
    """A refused step is in the audit trail too (who tried what on which month, and why it was refused);
    written after the step's transaction rolled back, so the refusal itself stays."""
    record_event(
        kind=AuditEvent.Kind.APPROVAL,
        user=by,
        target=f"{approval.community.code} {approval.month:%Y-%m}",
        action=action,
        refused=why[:300],
    )


def _act(
    *, approval: MonthApproval, action: str, by: Any, reason: str, explanations: dict[str, str] | None
) -> MonthApproval:
    month_facts = facts()
    with transaction.atomic():
        # the month's row only (of=self): writes that reference the community do not queue behind a step
        approval = MonthApproval.objects.select_for_update(of=("self",)).select_related("community").get(pk=approval.pk)
        why = refusal(approval, action, by)
        if why is not None:
            raise ValidationError(why, code="refused")
        transition = TRANSITIONS[action]
        if transition.needs_reason and not reason:
            raise ValidationError(_("请写明%(action)s的原因。") % {"action": ACTION_LABELS[action]}, code="reason")
        if action == "submit":
            explanations = {code: text.strip()[:300] for code, text in (explanations or {}).items() if text.strip()}
            missing = unexplained_checks(approval, explanations)
            if missing:
                raise ValidationError(
                    _("以下检查未通过，请逐项说明原因后再提交：%(checks)s") % {"checks": "、".join(missing)},
                    code="checks",
                )
            approval.explanations = explanations
            approval.submitted_at = timezone.now()
            approval.first_submitted_at = approval.first_submitted_at or approval.submitted_at
        elif action == "approve":
            missing = unexplained_checks(approval, approval.explanations)
            if missing and not reason:
                raise ValidationError(
                    _("以下检查未通过，社区也没有说明原因：%(checks)s。请写明您审核通过的理由，或退回社区。")
                    % {"checks": "、".join(missing)},
                    code="checks",
                )
            approval.approver_reason = reason
        elif action == "accept":
            _snapshot(approval, by, month_facts.figures(approval.community, approval.month))
        previous = approval.state
        approval.state = transition.target
        approval.returned_reason = reason if transition.target == State.OPEN else ""
        if transition.target == State.OPEN:
            approval.approver_reason = ""  # a month sent back is approved afresh
        approval.save()
        ApprovalStep.objects.create(
            approval=approval, action=action, from_state=previous, to_state=approval.state, by=by, reason=reason
        )
        record_event(
            kind=AuditEvent.Kind.APPROVAL,
            user=by,
            target=f"{approval.community.code} {approval.month:%Y-%m}",
            action=action,
            to_state=approval.state,
            reason=reason,
        )
        if action == "accept":
            accepted = approval
            transaction.on_commit(lambda: month_facts.accepted(accepted))
    return approval


# the figures kept with each acceptance and compared after an unlock: those that add up from communities
CHANGE_TRACKED_FIGURES = (
    "cadres_total",
    "party_members",
    "activities",
    "sign_ins",
    "visits",
    "care_overdue",
    "needs_opened",
    "needs_resolved",
    "needs_open",
    "service_hours",
    "points_redeemed",
)


def figure_value(numbers: dict, key: str) -> float | int | None:
    """A figure of a stored set, ``activities`` being the sum of the activities by kind."""
    if key == "activities":
        by_kind = numbers.get("activities_by_kind")
        return None if by_kind is None else sum(by_kind.values())
    return numbers.get(key)


def _snapshot(approval: MonthApproval, by: Any, numbers: dict) -> None:
    """Keep the community's figures as accepted; after an unlock, note which figures the correction changed,
    dated the day it was accepted again."""
    numbers = json.loads(json.dumps(numbers, cls=DjangoJSONEncoder))
    now = timezone.now()
    if approval.figures:
        unlock = approval.steps.filter(action="unlock").select_related("by").order_by("-at", "-pk").first()
        for key in CHANGE_TRACKED_FIGURES:
            before, after = figure_value(approval.figures, key), figure_value(numbers, key)
            if before != after:
                approval.changes = [
                    *approval.changes,
                    {
                        "figure": key,
                        "before": before,
                        "after": after,
                        "unlocked_by": _person(unlock.by) if unlock else "",
                        "unlocked_at": f"{timezone.localtime(unlock.at):%Y-%m-%d %H:%M}" if unlock else "",
                        "reason": unlock.reason if unlock else "",
                        "accepted_by": _person(by),
                        "accepted_at": f"{timezone.localtime(now):%Y-%m-%d %H:%M}",
                    },
                ]
    approval.figures = numbers
    approval.accepted_at = now


def _person(user: Any) -> str:
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class ToDo:
    community: Community
    month: datetime.date
    action: str
    reason: str = ""  # why it came back, when a level above returned it
    deadline: datetime.date | None = None

    @property
    def label(self) -> object:
        """What the reader must do: 待提交, 待审核, 待审定, 待确认, or 已退回 for a month sent back."""
        return TODO_LABELS["returned" if self.reason else self.action]

    @property
    def action_label(self) -> object:
        return ACTION_LABELS[self.action]


def pending_for(user: Any, today: datetime.date, *, limit: int = 20) -> tuple[list[ToDo], int]:
    """The months ``user`` must act on next (at most ``limit``, oldest first) and how many there are in all.

    The worker: last month until it is submitted, and any month a level above returned. The levels above: the
    months in the state their forward step (from ``TRANSITIONS``) leaves. Two queries.
    """
    if not set(roles_of(user)) & {Role.COMMUNITY, Role.STREET, Role.BUREAU}:
        return [], 0
    actor = Actor.of(user)
    scoped = MonthApproval.objects.in_scope(actor.scope).select_related("community")
    if Role.COMMUNITY in actor.roles and actor.scope.level == "community":
        last = last_closed_month(today)
        deadline_day = facts().deadline_day()
        open_months = list(
            scoped.filter(state=State.OPEN).filter(Q(month=last) | ~Q(returned_reason="")).order_by("month")[:limit]
        )
        todos = [
            ToDo(a.community, a.month, "submit", a.returned_reason, reporting_deadline(a.month, deadline_day))
            for a in open_months
        ]
        if not scoped.filter(month=last).exists():
            community = Community.objects.get(pk=actor.scope.community_id or 0)
            todos.append(ToDo(community, last, "submit", deadline=reporting_deadline(last, deadline_day)))
        return todos, len(todos)
    steps = forward_steps(actor.roles, actor.scope.level, several_districts=actor.several_districts)
    steps.pop(State.OPEN, None)
    waiting = scoped.filter(state__in=list(steps)).order_by("month", "community__code")
    return [ToDo(a.community, a.month, steps[a.state]) for a in waiting[:limit]], waiting.count()
