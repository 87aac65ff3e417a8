"""The month's rules, each written once: the state machine, the locked and frozen states, the deadline and
"on time", the last closed month, and a month's reporting status for one row and for a queryset.

    open ──submit (community)──▶ submitted ──approve (street)──▶ approved ──accept (district)──▶ accepted
     ▲                              │                              │                              │
     └────────── return (street) ───┘ ◀── return (district) ───────┘     confirm (city, several districts)
     └────────── unlock (district or city, with a reason) ◀── accepted / confirmed ◀──────────────┘
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy

from accounts.models import Role
from approvals.models import State
from core.dates import local_midnight, month_start, next_month, previous_month


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
# what a to-do asks of its reader, by the action it waits for (a returned month: 已退回)
TODO_LABELS = {
    "submit": gettext_lazy("待提交"),
    "approve": gettext_lazy("待审核"),
    "accept": gettext_lazy("待审定"),
    "confirm": gettext_lazy("待确认"),
    "returned": gettext_lazy("已退回"),
}
ROLE_LABELS: dict[str, object] = {
    Role.COMMUNITY: gettext_lazy("社区工作者"),
    Role.STREET: gettext_lazy("街道管理员"),
    Role.BUREAU: gettext_lazy("区委老干部局"),
}

# the states from which each figure of reporting counts a month
SUBMITTED_STATES = tuple(s for s in State.values if s != State.OPEN)
APPROVED_STATES = (State.APPROVED, State.ACCEPTED, State.CONFIRMED)
ACCEPTED_STATES = (State.ACCEPTED, State.CONFIRMED)
# accepted up the hierarchy: only the level above may reopen it (unlock)
LOCKED_STATES = ACCEPTED_STATES
# from submission the month's records are read-only to everyone until it is returned or unlocked, so what the
# street approved is what the district accepts (docs/approval.md)
FROZEN_STATES = SUBMITTED_STATES


def forward_steps(roles: Iterable[str], level: str, *, several_districts: bool) -> dict[str, str]:
    """The states a level's user moves forward, each with its action (no reason needed): computed from the
    table, so what a to-do waits for is the transition the rules allow."""
    steps = {}
    for action, transition in TRANSITIONS.items():
        if transition.needs_reason or transition.target == State.OPEN or transition.sources == (State.OPEN,):
            continue
        if transition.role in roles and level in transition.levels:
            if action == "confirm" and not several_districts:
                continue
            for source in transition.sources:
                steps[source] = action
    return steps


def last_closed_month(today: datetime.date) -> datetime.date:
    """The newest month that has ended (the one reported now)."""
    return previous_month(month_start(today))


def is_closed(month: datetime.date, today: datetime.date) -> bool:
    """A month is closed once it has ended."""
    return next_month(month_start(month)) <= month_start(today)


def reporting_deadline(month: datetime.date, deadline_day: int) -> datetime.date:
    """The last day a month's report counts as on time: the ``deadline_day`` of the month after."""
    return next_month(month).replace(day=deadline_day)


def _deadline_end(month: datetime.date, deadline_day: int) -> datetime.datetime:
    return local_midnight(reporting_deadline(month, deadline_day) + datetime.timedelta(days=1))


def is_on_time(first_submitted_at: datetime.datetime | None, month: datetime.date, deadline_day: int) -> bool:
    """Submitted first by the end of the deadline day, on the local clock."""
    return first_submitted_at is not None and first_submitted_at < _deadline_end(month, deadline_day)


def on_time_q(months: Iterable[datetime.date], deadline_day: int, prefix: str = "") -> Q:
    """``is_on_time`` as a condition on MonthApproval rows (or a path to them) of any of ``months``."""
    condition = Q(pk__in=[])
    for month in months:
        condition |= Q(
            **{f"{prefix}month": month, f"{prefix}first_submitted_at__lt": _deadline_end(month, deadline_day)}
        )
    return Q(**{f"{prefix}state__in": SUBMITTED_STATES}) & condition


STATUSES = ("on_time", "late", "missing", "due")
STATUS_LABELS = {
    "on_time": gettext_lazy("按时"),
    "late": gettext_lazy("逾期提交"),
    "missing": gettext_lazy("逾期未报"),
    "due": gettext_lazy("未到截止日"),
}


def reporting_status(
    state: str | None,
    first_submitted_at: datetime.datetime | None,
    month: datetime.date,
    deadline_day: int,
    today: datetime.date,
) -> str:
    """One community's month: on_time, late, missing (deadline passed, not submitted) or due (not yet due)."""
    if state in SUBMITTED_STATES:
        return "on_time" if is_on_time(first_submitted_at, month, deadline_day) else "late"
    return "missing" if today > reporting_deadline(month, deadline_day) else "due"


def status_q(status: str, month: datetime.date, deadline_day: int, today: datetime.date, prefix: str = "") -> Q:
    """``reporting_status`` as a condition on rows carrying ``state`` and ``first_submitted_at`` (annotated from
    the month's approval; a community without one has neither)."""
    submitted = Q(**{f"{prefix}state__in": SUBMITTED_STATES})
    in_time = Q(**{f"{prefix}first_submitted_at__lt": _deadline_end(month, deadline_day)})
    if status == "on_time":
        return submitted & in_time
    if status == "late":
        return submitted & (~in_time | Q(**{f"{prefix}first_submitted_at__isnull": True}))
    not_submitted = Q(**{f"{prefix}state__isnull": True}) | Q(**{f"{prefix}state": State.OPEN})
    overdue = today > reporting_deadline(month, deadline_day)
    return not_submitted if (status == "missing") == overdue else Q(pk__in=[])
