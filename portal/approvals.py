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
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, roles_of
from communities.models import ApprovalStep, AuditEvent, Community, District, MonthApproval
from core.audit import record_event
from core.dates import month_start, next_month
from core.scope import Scope, scope_of
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


@dataclass(frozen=True)
class Actor:
    """What the approval rules read of a user, read once per page (not once per month and action)."""

    user: object
    roles: frozenset
    scope: Scope
    several_districts: bool

    @classmethod
    def of(cls, user) -> Actor:
        return cls(
            user=user,
            roles=frozenset(roles_of(user)),
            scope=scope_of(user),
            several_districts=District.objects.count() > 1,
        )


def month_label(month: datetime.date) -> str:
    """2026年11月 (November 2026 in English): the month as the user's language writes it."""
    return date_format(month, "YEAR_MONTH_FORMAT")


def refusal(approval: MonthApproval, action: str, user, *, actor: Actor | None = None, in_scope=None) -> str | None:
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


def allowed_actions(approval: MonthApproval, user, *, actor: Actor | None = None, in_scope=None) -> list[str]:
    """The actions ``user`` may take on ``approval`` now (the buttons a page shows)."""
    actor = actor or Actor.of(user)
    if in_scope is None:
        in_scope = Community.objects.in_scope(actor.scope).filter(pk=approval.community_id).exists()
    return [action for action in TRANSITIONS if refusal(approval, action, user, actor=actor, in_scope=in_scope) is None]


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
            approval.first_submitted_at = approval.first_submitted_at or approval.submitted_at
        elif action == "accept":
            _snapshot(approval, by)
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


def _snapshot(approval: MonthApproval, by) -> None:
    """Keep the community's figures as accepted; after an unlock, note which figures the correction changed."""
    from portal.figures import CHANGE_TRACKED_FIGURES, figures

    period = month_period(approval.month)
    scope = Scope(level="community", street_id=approval.community.street_id, community_id=approval.community_id)
    numbers = figures(scope, as_of=min(period.last_day, timezone.localdate()), period=period)
    numbers = json.loads(json.dumps(numbers, cls=DjangoJSONEncoder))
    now = timezone.now()
    if approval.figures:
        unlock = approval.steps.filter(action="unlock").select_related("by").order_by("-at", "-pk").first()
        for key in CHANGE_TRACKED_FIGURES:
            before, after = approval.figures.get(key), numbers.get(key)
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


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


# what each level acts on next: the community submits, the street approves, the district accepts, the city confirms
NEXT_ACTION = {
    State.SUBMITTED: ("approve", Role.STREET, ("street",)),
    State.APPROVED: ("accept", Role.BUREAU, ("district", "city")),
    State.ACCEPTED: ("confirm", Role.BUREAU, ("city",)),
}


@dataclass(frozen=True)
class ToDo:
    community: Community
    month: datetime.date
    action: str
    reason: str = ""  # why it came back, when a level above returned it
    deadline: datetime.date | None = None

    @property
    def label(self):
        return ACTION_LABELS[self.action]


def pending_for(user, today: datetime.date, *, limit: int = 20) -> tuple[list[ToDo], int]:
    """The months ``user`` must act on next (at most ``limit``, oldest first) and how many there are in all.

    The worker: last month until it is submitted, and any month a level above returned. The street: months
    submitted to it; the district: months its streets approved; the city: accepted months to confirm. Two queries.
    """
    from portal.figures import reporting_deadline
    from portal.models import ReportingSettings

    if not set(roles_of(user)) & {Role.COMMUNITY, Role.STREET, Role.BUREAU}:
        return [], 0
    actor = Actor.of(user)
    scoped = MonthApproval.objects.in_scope(actor.scope).select_related("community")
    if Role.COMMUNITY in actor.roles and actor.scope.level == "community":
        last = month_start(today.replace(day=1) - datetime.timedelta(days=1))
        deadline_day = ReportingSettings.current().deadline_day
        open_months = list(
            scoped.filter(state=State.OPEN).filter(Q(month=last) | ~Q(returned_reason="")).order_by("month")[:limit]
        )
        todos = [
            ToDo(a.community, a.month, "submit", a.returned_reason, reporting_deadline(a.month, deadline_day))
            for a in open_months
        ]
        if not scoped.filter(month=last).exists():
            community = Community.objects.get(pk=actor.scope.community_id)
            todos.append(ToDo(community, last, "submit", deadline=reporting_deadline(last, deadline_day)))
        return todos, len(todos)
    states = [
        state
        for state, (_action, role, levels) in NEXT_ACTION.items()
        if role in actor.roles and actor.scope.level in levels and (state != State.ACCEPTED or actor.several_districts)
    ]
    waiting = scoped.filter(state__in=states).order_by("month", "community__code")
    return [ToDo(a.community, a.month, NEXT_ACTION[a.state][0]) for a in waiting[:limit]], waiting.count()
