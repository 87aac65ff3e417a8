"""The pilot scorecard's page and workbook, for the user's scope (a district, a street, the city)."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import Period, parse_quarter
from core.scope import scope_of
from core.spreadsheets import xlsx_response
from portal.dashboard import drilled_scope
from portal.models import ReportingSettings
from portal.scorecard import score_communities, scorecard_workbook


def _quarter_label(quarter: Period) -> str:
    return _("%(year)s年第%(quarter)s季度") % {
        "year": quarter.start.year,
        "quarter": (quarter.start.month - 1) // 3 + 1,
    }


def _quarter_value(quarter: Period) -> str:
    return f"{quarter.start.year}-Q{(quarter.start.month - 1) // 3 + 1}"


def _chosen(request):
    today = timezone.localdate()
    this = Period.quarter_of(today)
    quarter = parse_quarter(request.GET.get("quarter"), this)
    if quarter.start > this.start:
        quarter = this
    scope, crumbs = drilled_scope(
        request.user, district=request.GET.get("district"), street=request.GET.get("street"), community=None
    )
    return today, this, quarter, scope, crumbs


def scorecard(request):
    """示范点评分: every community of the scope scored for a quarter, each criterion's value, source and points."""
    today, this, quarter, scope, crumbs = _chosen(request)
    criteria, scores = score_communities(scope, quarter, today)
    quarters = []
    start = this
    for _step in range(8):
        quarters.append((_quarter_value(start), _quarter_label(start)))
        start = Period.quarter_of(start.start - datetime.timedelta(days=1))
    context = {
        "quarter": quarter,
        "quarter_label": _quarter_label(quarter),
        "quarter_value": _quarter_value(quarter),
        "quarters": quarters,
        "criteria": criteria,
        "scores": scores,
        "settings": ReportingSettings.current(),
        "scope_name": crumbs[-1][0],
        "query": urlencode({**crumbs[-1][1], "quarter": _quarter_value(quarter)}),
        "month_of": {m: f"{m:%Y-%m}" for m in quarter.months},
        "last_month": f"{quarter.months[-1]:%Y-%m}",
        "pilots": sum(1 for row in scores if row.is_pilot),
        "own_level": scope_of(request.user).level,
    }
    return render(request, "portal/scorecard.html", context)


def scorecard_xlsx(request):
    """The scorecard as a workbook (the formula-safe writer)."""
    today, _this, quarter, scope, crumbs = _chosen(request)
    criteria, scores = score_communities(scope, quarter, today)
    title = f"{crumbs[-1][0]}{_quarter_label(quarter)}{_('示范点评分')}"
    return xlsx_response(scorecard_workbook(title, criteria, scores), f"{title}.xlsx")
