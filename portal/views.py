"""Role homes: where each kind of user lands after logging in."""

import datetime
import sys
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, roles_of
from activities.absences import branch_activities, pending_follow_ups
from activities.models import Activity, Need, RoomRequest
from approvals import rules
from approvals import services as approvals
from approvals.models import MonthApproval
from cadres import members
from cadres.models import CareCase, MobileMember
from cadres.selectors import communities_needing_branch
from communities.models import AuditEvent, Community
from core import scope as scopes
from core.audit import record_event
from core.dates import local_midnight, month_start, next_month
from core.scope import scope_of
from core.spreadsheets import xlsx_response
from portal.dashboard import breakdown_table, chart_workbook, charts, chosen_month, dashboard_data, drilled_scope
from portal.figures import (
    APPROVED_LABELS,
    APPROVED_TABLE_FIGURES,
    HOME_LABELS,
    approved_breakdown,
    approved_figures,
    reporting_figures,
    reporting_trend,
)
from portal.models import LedgerReport, ReportingSettings, WeeklyReminder


def home(request):
    """Send each role to its home: admin, worker pages or the dashboard."""
    roles = roles_of(request.user)
    if Role.AUDITOR in roles:
        return redirect("admin:communities_auditevent_changelist")
    if request.user.is_superuser or roles & {Role.SYSADMIN, Role.BUREAU, Role.STREET}:
        return redirect("admin:index")
    if Role.COMMUNITY in roles:
        return redirect("worker_home")
    if Role.LEADER in roles:
        return redirect("dashboard")
    if Role.UNIT in roles:
        return redirect("unit_home")
    return render(request, "portal/no_role.html", status=403)


RECENT_DAYS, AHEAD_DAYS = 7, 28


def worker_home(request):
    """The community worker's home: the activities of the past week and the coming four, and the day's work."""
    scope = scope_of(request.user)
    if scope.level != "community":
        return render(request, "portal/no_role.html", status=403)
    community = Community.objects.select_related("street").get(pk=scope.community_id)
    today = timezone.localdate()
    # every activity of the past week and the coming four, with or without a room, cancelled ones marked:
    # nothing the liaison planned is out of sight (finding: only this week, and only via the rooms)
    midnight = local_midnight(today)
    activities = list(
        Activity.objects.for_user(request.user)
        .between(midnight - datetime.timedelta(days=RECENT_DAYS), midnight + datetime.timedelta(days=AHEAD_DAYS))
        .select_related("venue")
        .annotate(sign_in_total=Count("sign_ins"))
        .order_by("starts_at")
    )
    context = {
        "community": community,
        "upcoming": [activity for activity in activities if activity.ends_at >= midnight],
        "recent": [activity for activity in reversed(activities) if activity.ends_at < midnight],
        "ahead_days": AHEAD_DAYS,
        "recent_days": RECENT_DAYS,
        "care_overdue": CareCase.objects.for_user(request.user).overdue(today).count(),
        "needs_open": Need.objects.for_user(request.user).still_open().count(),
        "follow_ups_pending": pending_follow_ups(
            branch_activities(scope, local_midnight(month_start(today)), local_midnight(next_month(today)))
        ),
        "reminder": WeeklyReminder.objects.for_user(request.user).order_by("-week_start").first(),
        "members": {
            "unregistered": members.not_registered(scope, today).count(),
            "mobile_overdue": MobileMember.objects.in_scope(scope).overdue(today).count(),
        },
        "rooms_pending": RoomRequest.objects.for_user(request.user).pending().count(),
        "approval_todos": approvals.pending_for(request.user, today)[0],
    }
    return render(request, "portal/worker_home.html", context)


def _dashboard_data(request):
    """The scope drilled to (404 outside the user's), its breadcrumb, the month and its (cached) figures."""
    today = timezone.localdate()
    month = chosen_month(request.GET.get("month"), today)
    scope, crumbs = drilled_scope(
        request.user,
        district=request.GET.get("district"),
        street=request.GET.get("street"),
        community=request.GET.get("community"),
    )
    data = dashboard_data(scope, month, today)
    # reporting and approvals move as people submit and approve: read fresh (a handful of indexed queries)
    deadline_day = ReportingSettings.current().deadline_day
    reporting_month = month  # the month the page shows, in its header, cards, table and reporting alike
    data = {
        **data,
        "reporting": reporting_figures(scope, reporting_month, deadline_day=deadline_day, today=today),
        # the trend's months are the months that have ended, up to the one shown
        "reporting_trend": reporting_trend(
            scope, last_month=min(month, rules.last_closed_month(today)), deadline_day=deadline_day
        ),
    }
    return scope, crumbs, month, data


def _figures_view(request) -> str:
    """Live (every community's records, with how many are accepted beside them) by default, for every role: the
    approved view sums only the accepted communities, a partial total until the last one is accepted (README)."""
    return "approved" if request.GET.get("figures") == "approved" else "live"


def dashboard(request):
    """The leaders' dashboard: the month's figures and charts for the user's scope, drilled down on request."""
    view = _figures_view(request)
    scope, crumbs, month, data = _dashboard_data(request)
    month_value = f"{month:%Y-%m}"
    closed = rules.is_closed(month, timezone.localdate())
    # approved figures exist only for a month that has ended, and are the chosen month's, as everything else here
    approved = approved_figures(scope, month) if view == "approved" and closed else None
    context = {
        "view": view,
        "closed": closed,
        "approved": approved,
        "approved_cards": [
            (key, label, approved["totals"][key], key in approved["changed"]) for key, label in APPROVED_LABELS.items()
        ]
        if approved
        else [],
        "approved_children": approved_breakdown(scope, month) if approved else [],
        "approved_columns": [APPROVED_LABELS[key] for key in APPROVED_TABLE_FIGURES],
        "reporting": data["reporting"],
        "live_query": urlencode({**crumbs[-1][1], "month": month_value, "figures": "live"}),
        "approved_query": urlencode({**crumbs[-1][1], "month": month_value, "figures": "approved"}),
        "scope": scope,
        "scope_name": crumbs[-1][0],
        "crumbs": [(name, urlencode({**params, "month": month_value})) for name, params in crumbs],
        "month": month,
        "month_value": month_value,
        "this_month": f"{timezone.localdate():%Y-%m}",
        "query": urlencode({**crumbs[-1][1], "month": month_value}),
        "place_params": crumbs[-1][1],
        "figures": data["figures"],
        "children": data["children"],
        "charts": charts(data),
        "as_of": data["as_of"],
        "computed_at": data["computed_at"],
        "cadres_total": data["figures"]["cadres_total"],  # the headline figure, read by the page's tests
        "talents_total": sum(data["figures"]["talents_by_category"].values()),
        "membership": data["membership"],
        "homes": [(label, data["membership"]["homes"][key]) for key, label in HOME_LABELS.items()],
        "room_use": data["room_use"],
    }
    return render(request, "portal/dashboard.html", context)


def dashboard_chart(request, name):
    """One chart's data as an .xlsx, for the same scope and month as the page."""
    _scope, crumbs, month, data = _dashboard_data(request)
    chart = breakdown_table(data) if name == "breakdown" else charts(data).get(name)
    if chart is None:
        raise Http404
    return xlsx_response(chart_workbook(chart), f"{crumbs[-1][0]}-{month:%Y-%m}-{chart['title']}.xlsx")


def branch_rule(request):
    """Communities that should form a branch: 3+ party members held there and no formal branch (000)."""
    today = timezone.localdate()
    communities = (
        communities_needing_branch(scope_of(request.user), today)
        .select_related("street")
        .order_by("street__code", "code")
    )
    return render(request, "portal/branch_rule.html", {"communities": communities, "as_of": today})


# --- ledgers (台账) and weekly reminders ----------------------------------------------------------


def ledger_list(request):
    """Ledgers of the user's scope, newest month first (the district's, a street's, a community's)."""
    reports = LedgerReport.objects.for_user(request.user).select_related("street", "community", "run")
    kind = request.GET.get("kind", LedgerReport.Kind.MONTH)
    if kind in LedgerReport.Kind.values:
        reports = reports.filter(kind=kind)
    page = Paginator(reports.order_by("-period_start", "level", "street__code", "community__code"), 50).get_page(
        request.GET.get("page")
    )
    _with_approval_state(request.user, page.object_list)
    return render(request, "portal/ledger_list.html", {"page": page, "kind": kind, "kinds": LedgerReport.Kind.choices})


def _with_approval_state(user, reports) -> None:
    """Each month's ledger with its approval state: a community's own; a street's, district's or the city's as how
    many of its communities the district accepted. A few grouped queries for the page, whatever its rows."""
    reports = [report for report in reports if report.kind == LedgerReport.Kind.MONTH]
    if not reports:
        return
    months = {report.period_start for report in reports}
    approvals_in_scope = MonthApproval.objects.for_user(user).filter(month__in=months)
    states = {
        (community_id, month): state
        for community_id, month, state in approvals_in_scope.filter(
            community_id__in={r.community_id for r in reports if r.community_id}
        ).values_list("community_id", "month", "state")
    }
    accepted, expected = {}, {}
    for level in ("street", "district", "city"):
        if not any(report.level == level for report in reports):
            continue
        rows = approvals_in_scope.filter(state__in=rules.ACCEPTED_STATES)
        communities = Community.objects.all()
        if level != "city":
            key, path = scopes.place_path(level, "community"), scopes.place_path(level)
            accepted.update(
                {(level, k, m): n for k, m, n in rows.values_list(key, "month").annotate(n=Count("pk")).order_by()}
            )
            expected.update(
                {(level, k): n for k, n in communities.values_list(path).annotate(n=Count("pk")).order_by()}
            )
        else:
            accepted.update(
                {(level, None, m): n for m, n in rows.values_list("month").annotate(n=Count("pk")).order_by()}
            )
            expected[(level, None)] = communities.count()
    for report in reports:
        if report.level == LedgerReport.Level.COMMUNITY:
            report.approval_state = states.get((report.community_id, report.period_start), MonthApproval.State.OPEN)
            report.approval_label = MonthApproval.State(report.approval_state).label
            continue
        key = {"street": report.street_id, "district": report.district_id}.get(report.level)
        done = accepted.get((report.level, key, report.period_start), 0)
        total = expected.get((report.level, key), 0)
        report.approval_label = _("区已审定%(accepted)s/%(total)s") % {"accepted": done, "total": total}
        report.approval_state = "accepted" if total and done == total else "submitted"


def ledger_download(request, pk):
    """A ledger's workbook, for staff whose scope holds it; every download is in the audit trail.

    The workbook carries the roster (names, ages, masked numbers): leaders, who see figures and names
    only, read the figures on the list and the dashboard instead.
    """
    report = get_object_or_404(LedgerReport.objects.for_user(request.user).select_related("street", "community"), pk=pk)
    record_event(
        kind=AuditEvent.Kind.DOWNLOAD,
        request=request,
        what="ledger",
        ledger=report.pk,
        scope=report.scope_name,
        period=report.period_label,
    )
    name = f"{report.scope_name}-{report.period_label}-{report.get_kind_display()}.xlsx"
    try:
        source = report.file.open("rb")
    except (FileNotFoundError, ValueError):
        # the row is there but its file is not (a database restored without its media, a lost volume)
        return render(request, "portal/ledger_missing.html", {"report": report}, status=404)
    return xlsx_response(source, name)


def reminders(request):
    """This week's reminders of every community in the user's scope (the bureau sees the district's)."""
    latest = WeeklyReminder.objects.for_user(request.user).order_by("-week_start").values_list("week_start", flat=True)
    week = latest.first()
    rows = (
        WeeklyReminder.objects.for_user(request.user)
        .filter(week_start=week)
        .select_related("community", "community__street")
        .order_by("community__street__code", "community__code")
        if week
        else []
    )
    todos, todo_total = approvals.pending_for(request.user, timezone.localdate())
    context = {"rows": rows, "week": week, "approval_todos": todos, "todo_total": todo_total}
    return render(request, "portal/reminders.html", context)


@login_not_required
def healthz(request):
    """Liveness probe for the reverse proxy: answers without touching the database."""
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
def csrf_failure(request, reason=""):
    """A form sent from a page that has expired: say so in words, keep nothing, offer the way back."""
    if request.headers.get("HX-Request"):
        return HttpResponse(status=403)
    return render(request, "403_csrf.html", status=403)


def account_page_closed(request, *args, **kwargs):
    """Sign-up, e-mail and password-reset pages are not offered: the system administrator resets passwords."""
    return render(request, "portal/account_page_closed.html", status=404)


def bad_request(request, exception=None):
    """A request the portal cannot read (a malformed date, an unknown filter): a Chinese page, no detail."""
    if request.headers.get("HX-Request"):
        return HttpResponse(status=400)
    return render(request, "400.html", status=400)


def too_many_requests(request, exception=None):
    """allauth's rate limits (its backstop behind the portal's lockout) answer with the portal's own page:
    in Chinese, saying what to do, and that a whole office behind one address is not locked out for long."""
    if request.headers.get("HX-Request"):
        return HttpResponse(status=429)
    return render(request, "429.html", status=429)


def _is_outage(error) -> bool:
    """A database or Redis that cannot be reached, a broker that cannot take a job, or a full disk: not the
    page's fault, and nothing was half-written (see core/files.py)."""
    import errno

    from django.db import InterfaceError, OperationalError

    if isinstance(error, (OperationalError, InterfaceError)):
        return True
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    try:
        from kombu.exceptions import OperationalError as BrokerError
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # pragma: no cover - both ship with the portal
        return False
    return isinstance(error, (RedisConnectionError, RedisTimeoutError, BrokerError))


@login_not_required
def server_error(request):
    """500, or 503 "系统暂时不可用" when the database or Redis is out of reach; rendered without touching either."""
    from django.template import loader

    error = sys.exc_info()[1]
    if _is_outage(error):
        if request.headers.get("HX-Request"):
            return HttpResponse(status=503)
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(loader.get_template("500.html").render(), status=500)
