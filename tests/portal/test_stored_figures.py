"""Closed months are read from the figures their ledgers stored; only the open month is counted live."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.dates import Period, local_midnight, months_back, next_month, previous_month
from core.scope import Scope
from portal.figures import (
    breakdown,
    figures,
    month_breakdown,
    month_figures,
    monthly_activity_series,
)
from portal.ledger_runs import build_month
from portal.models import LedgerReport, LedgerRun
from tests.factories import (
    ActivityFactory,
    CadreFactory,
    CommunityFactory,
    SignInFactory,
    StreetFactory,
    district_scope,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def year_of_sign_ins(today):
    """Two streets, three communities, an activity with sign-ins in each of the last 12 months."""
    streets = [StreetFactory(), StreetFactory()]
    communities = [
        CommunityFactory(street=streets[0]),
        CommunityFactory(street=streets[0]),
        CommunityFactory(street=streets[1]),
    ]
    month = months_back(today.replace(day=1), 11)
    for index in range(12):
        community = communities[index % 3]
        cadres = CadreFactory.create_batch(2, community=community)
        starts = local_midnight(month) + datetime.timedelta(days=3, hours=9)
        activity = ActivityFactory(community=community, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2))
        for cadre in cadres[: 1 + index % 2]:
            SignInFactory(activity=activity, cadre=cadre)
        month = next_month(month)
    return streets


def _build_closed_months(today, count=11):
    month = previous_month(today.replace(day=1))
    for _n in range(count):
        build_month(month=month, trigger=LedgerRun.Trigger.COMMAND)
        month = previous_month(month)


def _signin_queries(captured):
    return [query["sql"] for query in captured.captured_queries if "activities_signin" in query["sql"]]


def test_the_series_reads_closed_months_from_their_ledgers_and_counts_only_the_open_one(year_of_sign_ins, today):
    live = monthly_activity_series(district_scope(), last_month=today.replace(day=1), today=today)
    _build_closed_months(today)
    with CaptureQueriesContext(connection) as captured:
        stored = monthly_activity_series(district_scope(), last_month=today.replace(day=1), today=today)
    assert stored == live
    # one live query over the sign-ins, for the open month only
    open_month = [sql for sql in _signin_queries(captured)]
    assert len(open_month) == 1


def test_a_closed_months_dashboard_touches_no_sign_in_when_its_ledgers_are_built(year_of_sign_ins, today):
    last = previous_month(today.replace(day=1))
    period = Period(last, next_month(last))
    live_figures = figures(district_scope(), as_of=period.last_day, period=period)
    live_rows = breakdown(district_scope(), as_of=period.last_day, period=period)
    live_series = monthly_activity_series(district_scope(), last_month=last, today=today)
    _build_closed_months(today, count=12)
    scope = district_scope()
    with CaptureQueriesContext(connection) as captured:
        stored_figures = month_figures(scope, month=last, today=today)
        stored_rows = month_breakdown(scope, month=last, today=today)
        stored_series = monthly_activity_series(scope, last_month=last, today=today)
    assert not _signin_queries(captured)
    # with "did the records change since" for the figures and for the table: one indexed query each
    assert len(captured.captured_queries) <= 7
    assert stored_figures == live_figures
    assert stored_rows == live_rows
    assert stored_series == live_series


def test_a_closed_month_without_its_ledger_is_counted_live(year_of_sign_ins, today):
    last = previous_month(today.replace(day=1))
    period = Period(last, next_month(last))
    assert month_figures(district_scope(), month=last, today=today) == figures(
        district_scope(), as_of=period.last_day, period=period
    )
    street = Scope(level="street", street_id=year_of_sign_ins[0].pk)
    assert month_breakdown(street, month=last, today=today) == breakdown(street, as_of=period.last_day, period=period)


def test_a_ledger_built_before_its_month_ended_is_not_trusted(year_of_sign_ins, today):
    last = previous_month(today.replace(day=1))
    build_month(month=last, trigger=LedgerRun.Trigger.COMMAND)
    report = LedgerReport.objects.get(level="district", period_start=last)
    report.figures = {**report.figures, "sign_ins": 999}
    report.built_at = local_midnight(last) + datetime.timedelta(days=2)  # mid-month: figures not final
    report.save()
    assert month_figures(district_scope(), month=last, today=today)["sign_ins"] != 999
    report.built_at = timezone.now()
    report.save()
    assert (
        month_figures(district_scope(), month=last, today=today)["sign_ins"] == 999
    )  # a closed month is read, not recounted
