"""Ledgers a bureau can sign: the month's approval page, the queue of each level and the reporting rates.

The rules are the approvals package's and the counts ``portal.figures``'; these views only read the user's scope,
show the months and take the actions the rules allow.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals import rules
from approvals import services as approvals
from approvals.models import MonthApproval
from approvals.rules import STATUS_LABELS, last_closed_month, reporting_deadline, reporting_status, status_q
from approvals.services import figure_value
from communities.models import Community
from core.dates import parse_month
from portal.figures import APPROVED_LABELS, community_month_figures, reporting_figures
from portal.models import ReportingSettings


def _month_or_404(value: str, today: datetime.date) -> datetime.date:
    month = parse_month(value)
    if month is None or month > last_closed_month(today):
        raise Http404
    return month


def approval_list(request):
    """台账报送与审核: every community of the user's scope for a month, its state, whether it came in on time, and
    what the user can do with it; the month's reporting rates on top; filtered by status."""
    today = timezone.localdate()
    month = min(parse_month(request.GET.get("month"), last_closed_month(today)), last_closed_month(today))
    actor = approvals.Actor.of(request.user)
    deadline_day = ReportingSettings.current().deadline_day
    deadline = reporting_deadline(month, deadline_day)
    this_month = MonthApproval.objects.filter(community=OuterRef("pk"), month=month)
    communities = (
        Community.objects.for_user(request.user)
        .select_related("street")
        .annotate(
            state=Subquery(this_month.values("state")[:1]),
            first_submitted_at=Subquery(this_month.values("first_submitted_at")[:1]),
        )
        .order_by("street__code", "code")
    )
    wanted = request.GET.get("status")
    if wanted in STATUS_LABELS:  # filtered in the database: the page reads 50 communities, whatever the scope
        communities = communities.filter(status_q(wanted, month, deadline_day, today))
    page = Paginator(communities, 50).get_page(request.GET.get("page"))
    rows = []
    for community in page.object_list:
        status = reporting_status(community.state, community.first_submitted_at, month, deadline_day, today)
        state = community.state or MonthApproval.State.OPEN
        rows.append(
            {
                "community": community,
                "state": state,
                "state_label": MonthApproval.State(state).label,
                "status": status,
                "status_label": STATUS_LABELS[status],
                "first_submitted_at": community.first_submitted_at,
                "next": _next_action(community, month, state, actor),
            }
        )
    page.object_list = rows
    context = {
        "month": month,
        "month_value": f"{month:%Y-%m}",
        "latest": f"{last_closed_month(today):%Y-%m}",
        "deadline": deadline,
        "reporting": reporting_figures(actor.scope, month, deadline_day=deadline_day, today=today),
        "page": page,
        "status": wanted if wanted in STATUS_LABELS else "",
        "statuses": STATUS_LABELS,
        "wide": actor.scope.level in ("city", "district"),
        "query": urlencode({"month": f"{month:%Y-%m}", **({"status": wanted} if wanted in STATUS_LABELS else {})}),
    }
    return render(request, "portal/approval_list.html", context)


def _next_action(community: Community, month: datetime.date, state: str, actor: approvals.Actor) -> str | None:
    """The step this user takes next on a month in ``state`` (the list's button): the first the rules allow that
    needs no reason (a return or an unlock is chosen on the month's page)."""
    month_row = MonthApproval(community=community, month=month, state=state)
    allowed = approvals.allowed_actions(month_row, actor.user, actor=actor, in_scope=True)
    return next((action for action in allowed if not rules.TRANSITIONS[action].needs_reason), None)


def approval_detail(request, community_pk: int, month: str):
    """One community's month: its checks and their explanations, its figures as accepted, every step so far, and
    the actions the user may take (a refused one says why, and nothing is written)."""
    today = timezone.localdate()
    month_day = _month_or_404(month, today)
    community = get_object_or_404(Community.objects.for_user(request.user).select_related("street"), pk=community_pk)
    approval = MonthApproval.objects.filter(community=community, month=month_day).first() or MonthApproval(
        community=community, month=month_day
    )
    actor = approvals.Actor.of(request.user)
    error = None
    explanations = approval.explanations
    if request.method == "POST":
        action = request.POST.get("action", "")
        explanations = {
            key.removeprefix("explain_"): value for key, value in request.POST.items() if key.startswith("explain_")
        }
        try:
            if approval.pk is None:
                why = approvals.refusal(approval, action, request.user, actor=actor, in_scope=True)
                if why is not None:  # refused before a row is written for the month
                    approvals.audit_refusal(approval=approval, action=action, by=request.user, why=why)
                    raise ValidationError(why)
                approval = approvals.approval_for(community, month_day)
            approval = approvals.act(
                approval=approval,
                action=action,
                by=request.user,
                reason=request.POST.get("reason", ""),
                explanations=explanations,
            )
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(
                request,
                _("%(community)s%(month)s的台账已%(action)s。")
                % {
                    "community": community.name,
                    "month": approvals.month_label(month_day),
                    "action": rules.ACTION_LABELS.get(action, action),
                },
            )
            return redirect(request.path)
    checks = approvals.facts().checks(community.pk, month_day)
    deadline_day = ReportingSettings.current().deadline_day
    allowed = approvals.allowed_actions(approval, request.user, actor=actor, in_scope=True)
    context = {
        "community": community,
        "approval": approval,
        "month": month_day,
        "month_label": approvals.month_label(month_day),
        "deadline": reporting_deadline(month_day, deadline_day),
        "checks": checks,
        "failing": [{**check, "text": explanations.get(check["code"], "")} for check in checks if check["missing"]],
        "allowed": allowed,
        "actions": {action: rules.ACTION_LABELS[action] for action in allowed},
        "needs_reason": [action for action in allowed if approvals.needs_reason(approval, action)],
        "unexplained": approvals.unexplained_checks(approval, approval.explanations) if "approve" in allowed else [],
        "steps": approval.steps.select_related("by").order_by("at", "pk") if approval.pk else [],
        "figures": [(label, figure_value(approval.figures, key)) for key, label in APPROVED_LABELS.items()]
        if approval.figures and approval.is_locked
        else [],
        "live": [] if approval.is_locked else _live_figures(community, month_day, today),
        "frozen": approval.is_frozen,
        "changes": [
            {**change, "label": APPROVED_LABELS.get(change["figure"], change["figure"])} for change in approval.changes
        ],
        "error": error,
        "back": reverse("worker_home")
        if actor.scope.level == "community"
        else reverse("approval_list") + f"?month={month_day:%Y-%m}",
    }
    return render(request, "portal/approval_detail.html", context)


def _live_figures(community: Community, month: datetime.date, today: datetime.date) -> list[tuple]:
    """The month's figures as they stand (what the street and the district check before they sign)."""
    numbers = community_month_figures(community, month, today=today)
    return [(label, figure_value(numbers, key)) for key, label in APPROVED_LABELS.items()]
