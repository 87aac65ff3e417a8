"""One month, one set of figures: whatever the order of taps, offline batches, visits, new activities, submissions,
returns, acceptances, unlocks and ledger jobs, the closed month's dashboard, its ledgers (the community's and the
street's) and the figures the district accepted equal a count of the records by hand."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from activities.models import Activity, SignIn
from activities.services import record_sign_in, save_activity, sync_sign_ins
from approvals.models import MonthApproval
from approvals.services import act, approval_for
from cadres.models import Visit
from cadres.services import record_visit
from core.dates import local_midnight, month_start, months_back, next_month
from core.scope import Scope
from portal.figures import month_breakdown, month_figures
from portal.ledger_runs import build_month
from portal.models import CompletenessRule, LedgerReport
from portal.tasks import rebuild_changed_months
from tests.conftest import make_user
from tests.factories import ActivityFactory, CadreFactory, CommunityFactory, StreetFactory, VenueFactory

State = MonthApproval.State
TODAY = timezone.localdate()
MONTH = months_back(month_start(TODAY), 1)
STEPS = st.lists(
    st.sampled_from(
        ["tap", "sync", "visit", "activity", "submit", "approve", "accept", "return", "unlock", "jobs", "jobs"]
    ),
    min_size=3,
    max_size=12,
)


def _in_month(moment):
    day = timezone.localtime(moment).date()
    return MONTH <= day < next_month(MONTH)


def _by_hand(community):
    """The month's activities held, sign-ins and visits, counted one record at a time."""
    activities = [a for a in Activity.objects.filter(community=community) if _in_month(a.starts_at)]
    held = [a for a in activities if a.status == Activity.Status.HELD]
    sign_ins = [s for s in SignIn.objects.select_related("activity") if s.activity in activities]
    visits = [v for v in Visit.objects.filter(cadre__community=community) if MONTH <= v.visited_on < next_month(MONTH)]
    return {
        "activities": len(held),
        "sign_ins": sum(1 for s in sign_ins if s.activity.status != Activity.Status.CANCELLED),
        "visits": len(visits),
    }


def _shown(numbers):
    return {
        "activities": sum(numbers["activities_by_kind"].values()),
        "sign_ins": numbers["sign_ins"],
        "visits": numbers["visits"],
    }


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS, seed=st.integers(0, 10_000))
@pytest.mark.django_db
def test_the_dashboard_the_ledgers_and_the_accepted_figures_are_the_records(steps, seed):
    CompletenessRule.objects.update(is_active=False)
    street = StreetFactory()
    community = CommunityFactory(street=street)
    worker = make_user(Role.COMMUNITY, community=community)
    clerk = make_user(Role.STREET, street=street)
    bureau = make_user(Role.BUREAU)
    venue = VenueFactory(community=community)
    day = MONTH + datetime.timedelta(days=seed % 27)
    at = local_midnight(day) + datetime.timedelta(hours=9)
    activity = ActivityFactory(community=community, venue=venue, starts_at=at, ends_at=at + datetime.timedelta(hours=2))
    build_month(month=MONTH, trigger="command", community_code=community.code)  # the 1st's ledger
    approval = approval_for(community, MONTH)
    community_scope = Scope(level="community", street_id=street.pk, community_id=community.pk)
    street_scope = Scope(level="street", street_id=street.pk, district_id=street.district_id)

    for n, step in enumerate(steps):
        try:
            if step == "tap":
                record_sign_in(activity=activity, cadre=CadreFactory(community=community), by=worker)
            elif step == "sync":  # a phone without signal, synced now for a tap made in that month
                taps = [{"key": uuid.uuid4(), "cadre": CadreFactory(community=community).pk} for _t in range(2)]
                sync_sign_ins(activity=activity, taps=taps, by=worker)
            elif step == "visit":
                record_visit(cadre=CadreFactory(community=community), visited_on=day, visitors="联络员")
            elif step == "activity":
                start = at + datetime.timedelta(hours=3 + 3 * n)
                save_activity(
                    activity=Activity(
                        community=community,
                        venue=venue,
                        kind="study",
                        title="补录",
                        starts_at=start,
                        ends_at=start + datetime.timedelta(hours=1),
                        status=Activity.Status.HELD,
                    )
                )
            elif step == "submit":
                act(approval=approval, action="submit", by=worker)
            elif step == "approve":
                act(approval=approval, action="approve", by=clerk)
            elif step == "accept":
                act(approval=approval, action="accept", by=bureau)
            elif step == "return":
                state = MonthApproval.objects.get(pk=approval.pk).state
                action, by = ("return_street", clerk) if state == State.SUBMITTED else ("return_district", bureau)
                act(approval=approval, action=action, by=by, reason="请补充")
            elif step == "unlock":
                act(approval=approval, action="unlock", by=bureau, reason="更正")
            else:
                rebuild_changed_months()
        except ValidationError:
            pass  # refused, as the rules say (a frozen month, a step out of turn): nothing written

    rebuild_changed_months()  # the sweeper's next minute
    hand = _by_hand(community)
    assert _shown(month_figures(community_scope, month=MONTH, today=TODAY)) == hand
    assert _shown(month_figures(street_scope, month=MONTH, today=TODAY)) == hand
    [row] = [row for row in month_breakdown(street_scope, month=MONTH, today=TODAY) if row["pk"] == community.pk]
    assert (row["activities"], row["sign_ins"]) == (hand["activities"], hand["sign_ins"])  # the drill-down table
    ledger = LedgerReport.objects.get(kind="month", level="community", community=community, period_start=MONTH)
    assert _shown(ledger.figures) == hand
    street_ledger = LedgerReport.objects.filter(kind="month", level="street", street=street, period_start=MONTH).first()
    if street_ledger is not None:
        assert _shown(street_ledger.figures) == hand
    approval.refresh_from_db()
    if approval.is_locked:
        assert _shown(approval.figures) == hand
