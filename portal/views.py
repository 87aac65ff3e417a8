"""Role homes: where each kind of user lands after logging in."""

import datetime

from django.contrib.auth.decorators import login_not_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity, Need
from activities.selectors import local_midnight, week_start
from cadres.models import CareCase
from cadres.selectors import communities_needing_branch
from communities.models import Community, Role, Street, roles_of
from communities.scope import scope_of
from portal.figures import Period, figures


def home(request):
    """Send each role to its home: admin, worker pages or the dashboard."""
    roles = roles_of(request.user)
    if request.user.is_superuser or Role.BUREAU in roles or Role.STREET in roles:
        return redirect("admin:index")
    if Role.COMMUNITY in roles:
        return redirect("worker_home")
    if Role.LEADER in roles:
        return redirect("dashboard")
    return render(request, "portal/no_role.html", status=403)


def _require_role(request, *allowed):
    roles = roles_of(request.user)
    return request.user.is_superuser or any(role in roles for role in allowed)


def worker_home(request):
    """The community worker's home: this week's activities of their community."""
    scope = scope_of(request.user)
    if not _require_role(request, Role.COMMUNITY) or scope.level != "community":
        return render(request, "portal/no_role.html", status=403)
    community = Community.objects.select_related("street").get(pk=scope.community_id)
    start = local_midnight(week_start(timezone.localdate()))
    activities = (
        Activity.objects.for_user(request.user)
        .between(start, start + datetime.timedelta(days=7))
        .select_related("venue")
        .annotate(sign_in_total=Count("sign_ins"))
        .order_by("starts_at")
    )
    today = timezone.localdate()
    context = {
        "community": community,
        "activities": activities,
        "care_overdue": CareCase.objects.for_user(request.user).overdue(today).count(),
        "needs_open": Need.objects.for_user(request.user).still_open().count(),
    }
    return render(request, "portal/worker_home.html", context)


def dashboard(request):
    """The leaders' dashboard: this month's figures for the user's scope (charts come with the ledgers issue)."""
    if not _require_role(request, Role.LEADER, Role.BUREAU, Role.STREET):
        return render(request, "portal/no_role.html", status=403)
    scope = scope_of(request.user)
    if scope.level == "community":
        scope_name = Community.objects.get(pk=scope.community_id).name
    elif scope.level == "street":
        scope_name = Street.objects.get(pk=scope.street_id).name
    else:
        scope_name = _("全区")
    today = timezone.localdate()
    numbers = figures(scope, as_of=today, period=Period.month(today.year, today.month))
    context = {
        "scope_name": scope_name,
        "communities": Community.objects.for_user(request.user).count(),
        "figures": numbers,
        "cadres_total": numbers["cadres_total"],
        "party_members": numbers["party_members"],
        "as_of": today,
    }
    return render(request, "portal/dashboard.html", context)


def branch_rule(request):
    """Communities that should form a branch: 3+ party members held there and no formal branch (000)."""
    if not _require_role(request, Role.LEADER, Role.BUREAU, Role.STREET):
        return render(request, "portal/no_role.html", status=403)
    today = timezone.localdate()
    communities = (
        communities_needing_branch(scope_of(request.user), today)
        .select_related("street")
        .order_by("street__code", "code")
    )
    return render(request, "portal/branch_rule.html", {"communities": communities, "as_of": today})


@login_not_required
def healthz(request):
    """Liveness probe for the reverse proxy: answers without touching the database."""
    return HttpResponse("ok", content_type="text/plain")
