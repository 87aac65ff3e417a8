"""The month's rules have one home: the status of one row and of a queryset agree, every figure and page that
speaks of "on time" follows the one definition, and each level's next step is the state machine's."""

import datetime

import pytest
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from approvals import rules
from approvals.models import MonthApproval
from approvals.services import pending_for
from communities.models import Community
from core.dates import local_midnight, month_start, months_back, next_month
from core.scope import Scope
from portal.models import ReportingSettings
from tests.conftest import make_user
from tests.factories import CommunityFactory, StreetFactory, the_district

State = MonthApproval.State
TODAY = timezone.localdate()
MONTH = months_back(month_start(TODAY), 3)
ROWS = st.lists(
    st.one_of(st.none(), st.tuples(st.sampled_from(State.values), st.integers(min_value=-3 * 24, max_value=20 * 24))),
    min_size=6,
    max_size=6,
)


@pytest.fixture
def places(db):
    """Made once for all the examples of a test, inside its transaction (nothing outlives it)."""
    street = StreetFactory(district=the_district())
    return street, [CommunityFactory(street=street) for _n in range(6)]


def _write(communities, rows):
    MonthApproval.objects.filter(community__in=communities).delete()
    for community, row in zip(communities, rows, strict=True):
        if row is not None:
            state, hours = row
            at = local_midnight(next_month(MONTH)) + datetime.timedelta(hours=hours)
            MonthApproval.objects.create(
                community=community, month=MONTH, state=state, first_submitted_at=None if state == State.OPEN else at
            )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ROWS, deadline_day=st.integers(min_value=1, max_value=28), today_offset=st.integers(-5, 40))
@pytest.mark.django_db
def test_the_status_of_a_row_and_of_a_queryset_agree(places, rows, deadline_day, today_offset):
    """Each community's status as ``reporting_status`` says it is the one ``status_q`` filters it under."""
    street, communities = places
    _write(communities, rows)
    today = next_month(MONTH) + datetime.timedelta(days=today_offset)
    this_month = MonthApproval.objects.filter(community=OuterRef("pk"), month=MONTH)
    annotated = Community.objects.filter(pk__in=[c.pk for c in communities]).annotate(
        state=Subquery(this_month.values("state")[:1]),
        first_submitted_at=Subquery(this_month.values("first_submitted_at")[:1]),
    )
    by_row = {
        community.pk: rules.reporting_status(community.state, community.first_submitted_at, MONTH, deadline_day, today)
        for community in annotated
    }
    for status in rules.STATUSES:
        filtered = set(
            annotated.filter(rules.status_q(status, MONTH, deadline_day, today)).values_list("pk", flat=True)
        )
        assert filtered == {pk for pk, row_status in by_row.items() if row_status == status}, status


@pytest.mark.django_db
def test_every_count_of_on_time_follows_the_one_definition(monkeypatch, client):
    """Move the rule's deadline by a day: the reporting figures, the trend, the scorecard's measure, the level's list
    and the month's status all move with it (a copy of the rule anywhere else would not)."""
    from core.dates import Period
    from portal.figures import community_measures, reporting_figures, reporting_trend

    street = StreetFactory(district=the_district())
    community = CommunityFactory(street=street)
    deadline_day = ReportingSettings.current().deadline_day
    deadline = rules.reporting_deadline(MONTH, deadline_day)
    at = local_midnight(deadline + datetime.timedelta(days=1)) + datetime.timedelta(hours=9)  # a day late
    MonthApproval.objects.create(community=community, month=MONTH, state=State.SUBMITTED, first_submitted_at=at)
    scope = Scope(level="street", street_id=street.pk, district_id=street.district_id)
    client.force_login(make_user(Role.STREET, street=street))

    def counted():
        page = client.get("/ledgers/approvals/", {"month": f"{MONTH:%Y-%m}", "status": "on_time"})
        return {
            "figures": reporting_figures(scope, MONTH, deadline_day=deadline_day, today=TODAY)["on_time"],
            "trend": reporting_trend(scope, last_month=MONTH, deadline_day=deadline_day)["on_time"][-1],
            "scorecard": community_measures(
                scope, Period(MONTH, next_month(MONTH)), deadline_day=deadline_day, today=TODAY
            )[community.pk]["reporting_on_time"][1],
            "list": len(page.context["page"].object_list),
            "status": rules.reporting_status(State.SUBMITTED, at, MONTH, deadline_day, TODAY),
        }

    assert counted() == {"figures": 0, "trend": 0.0, "scorecard": 0, "list": 0, "status": "late"}
    real = rules.reporting_deadline
    monkeypatch.setattr(rules, "reporting_deadline", lambda month, day: real(month, day) + datetime.timedelta(days=1))
    assert counted() == {"figures": 1, "trend": 100.0, "scorecard": 1, "list": 1, "status": "on_time"}


@pytest.mark.django_db
def test_each_level_waits_for_the_step_the_state_machine_gives_it():
    """The to-dos of each level are the states its forward transition leaves, and each says what to do."""
    street = StreetFactory()
    community = CommunityFactory(street=street)
    last = rules.last_closed_month(TODAY)
    readers = {
        State.SUBMITTED: (make_user(Role.STREET, street=street), "approve", "待审核"),
        State.APPROVED: (make_user(Role.BUREAU), "accept", "待审定"),
    }
    approval = MonthApproval.objects.create(community=community, month=last)
    for state, (reader, action, label) in readers.items():
        MonthApproval.objects.filter(pk=approval.pk).update(state=state)
        todos, total = pending_for(reader, TODAY)
        assert total == 1 and [(t.action, str(t.label)) for t in todos] == [(action, label)]
        for other_state, (other, _a, _l) in readers.items():
            if other_state != state:
                assert pending_for(other, TODAY) == ([], 0)
    worker = make_user(Role.COMMUNITY, community=community)
    MonthApproval.objects.filter(pk=approval.pk).update(state=State.OPEN)
    assert [str(t.label) for t in pending_for(worker, TODAY)[0]] == ["待提交"]
    MonthApproval.objects.filter(pk=approval.pk).update(returned_reason="照片不全")
    assert [str(t.label) for t in pending_for(worker, TODAY)[0]] == ["已退回"]
