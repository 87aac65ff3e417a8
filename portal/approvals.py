"""A community's month up the hierarchy: submit, approve, accept (and confirm at the city), return, unlock.

The state machine in one table (``TRANSITIONS``): each action names the states it leaves, the state it
reaches, the role that may take it and the level of that role's scope; a return and an unlock need a reason.
Every step is written with the row locked (``select_for_update``), as an ``ApprovalStep`` and an audit event.

    open ──submit (community)──▶ submitted ──approve (street)──▶ approved ──accept (district)──▶ accepted
     ▲                              │                              │                              │
     └────────── return (street) ───┘ ◀── return (district) ───────┘     confirm (city, several districts)
     └────────── unlock (district or city, with a reason) ◀── accepted / confirmed ◀──────────────┘
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, roles_of
from communities.models import ApprovalStep, AuditEvent, Community, District, MonthApproval
from core.audit import record_event
from core.dates import month_start, next_month
from core.scope import scope_of
from portal.ledgers import completeness, month_period

State = MonthApproval.State


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str
    role: str
    levels: tuple[str, ...]  # the scope levels of the accounts that may take it
    needs_reason: bool = False


TRANSITIONS = {
    "submit": Transition((State.OPEN,), State.SUBMITTED, Role.COMMUNITY, ("community",)),
    "approve": Transition((State.SUBMITTED,), State.APPROVED, Role.STREET, ("street",)),
    "accept": Transition((State.APPROVED,), State.ACCEPTED, Role.BUREAU, ("district", "city")),
    "confirm": Transition((State.ACCEPTED,), State.CONFIRMED, Role.BUREAU, ("city",)),
    "return_street": Transition((State.SUBMITTED,), State.OPEN, Role.STREET, ("street",), needs_reason=True),
    "return_district": Transition((State.APPROVED,), State.OPEN, Role.BUREAU, ("district", "city"), needs_reason=True),
    "unlock": Transition(
        (State.ACCEPTED, State.CONFIRMED), State.OPEN, Role.BUREAU, ("district", "city"), needs_reason=True
    ),
}
ACTION_LABELS = {
    "submit": gettext_lazy("提交"),
    "approve": gettext_lazy("审核通过"),
    "accept": gettext_lazy("审定"),
    "confirm": gettext_lazy("确认"),
    "return_street": gettext_lazy("退回"),
    "return_district": gettext_lazy("退回"),
    "unlock": gettext_lazy("解锁"),
}
ROLE_LABELS = {
    Role.COMMUNITY: gettext_lazy("社区工作者"),
    Role.STREET: gettext_lazy("街道管理员"),
    Role.BUREAU: gettext_lazy("区委老干部局"),
}


def approval_for(community: Community, month: datetime.date) -> MonthApproval:
    """The month's approval record (open until someone submits it)."""
    approval, _created = MonthApproval.objects.get_or_create(community=community, month=month_start(month))
    return approval


def refusal(approval: MonthApproval, action: str, user) -> str | None:
    """Why ``user`` may not take ``action`` on ``approval`` now, or None when they may."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        return _("没有这个操作。")
    if transition.role not in roles_of(user):
        return _("只有%(role)s可以%(action)s。") % {
            "role": ROLE_LABELS[transition.role],
            "action": ACTION_LABELS[action],
        }
    scope = scope_of(user)
    if (
        scope.level not in transition.levels
        or not Community.objects.in_scope(scope).filter(pk=approval.community_id).exists()
    ):
        return _("%(community)s不在您的管辖范围内。") % {"community": approval.community.name}
    if approval.state not in transition.sources:
        return _("%(month)s当前为“%(state)s”，不能%(action)s。") % {
            "month": f"{approval.month:%Y年%-m月}",
            "state": approval.get_state_display(),
            "action": ACTION_LABELS[action],
        }
    if action == "confirm" and District.objects.count() < 2:
        return _("只有一个区县时，区审定即为最终审定。")
    if action == "unlock" and approval.state == State.CONFIRMED and scope.level != "city":
        return _("市已确认的月份只能由市级解锁。")
    if action == "submit" and next_month(approval.month) > timezone.localdate():
        return _("本月尚未结束，月末后再提交。")
    return None


def allowed_actions(approval: MonthApproval, user) -> list[str]:
    """The actions ``user`` may take on ``approval`` now (the buttons a page shows)."""
    return [action for action in TRANSITIONS if refusal(approval, action, user) is None]


def unexplained_checks(approval: MonthApproval, explanations: dict[str, str]) -> list[str]:
    """The failing completeness checks of the month that have no written reason."""
    failing = [check for check in completeness(approval.community_id, month_period(approval.month)) if check["missing"]]
    return [check["check"] for check in failing if not (explanations.get(check["code"]) or "").strip()]


def act(
    *, approval: MonthApproval, action: str, by, reason: str = "", explanations: dict[str, str] | None = None
) -> MonthApproval:
    """Take ``action`` on ``approval`` for ``by``, or refuse with why (nothing is written then)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        approval = MonthApproval.objects.select_for_update().select_related("community").get(pk=approval.pk)
        why = refusal(approval, action, by)
        if why is not None:
            raise ValidationError(why, code="refused")
        transition = TRANSITIONS[action]
        if transition.needs_reason and not reason:
            raise ValidationError(_("请写明%(action)s的原因。") % {"action": ACTION_LABELS[action]}, code="reason")
        if action == "submit":
            explanations = {code: text.strip() for code, text in (explanations or {}).items() if text.strip()}
            missing = unexplained_checks(approval, explanations)
            if missing:
                raise ValidationError(
                    _("以下检查未通过，请逐项说明原因后再提交：%(checks)s") % {"checks": "、".join(missing)},
                    code="checks",
                )
            approval.explanations = explanations
            approval.submitted_at = timezone.now()
        previous = approval.state
        approval.state = transition.target
        approval.returned_reason = reason if transition.target == State.OPEN else ""
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
    return approval
