"""The pilot scorecard: each community's values equal the figures module's for that community, the score
follows the bureau's weights and targets, and stars and the pilot mark follow its lines."""

import datetime
import random

import pytest
from django.utils import timezone

from accounts.models import Role
from activities.models import Need
from approvals.models import MonthApproval
from communities.models import Venue
from core.dates import Period, local_midnight, next_month
from core.scope import Scope
from portal.figures import (
    branch_life_figures,
    community_measures,
    figures,
    need_figures,
    organisation_figures,
    reporting_figures,
)
from portal.models import ReportingSettings, ScoreCriterion
from portal.scorecard import score_communities
from tests.conftest import make_user
from tests.factories import (
    ActivityFactory,
    BranchMembershipFactory,
    CadreFactory,
    CareCaseFactory,
    CommunityFactory,
    NeedFactory,
    PartyBranchFactory,
    SignInFactory,
    StreetFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
QUARTER = Period.quarter_of(Period.quarter_of(TODAY).start - datetime.timedelta(days=1))  # last quarter: ended


@pytest.fixture
def street_of_communities():
    """Four communities with random rooms, branches, activities, sign-ins, care cases, needs and reports."""
    # the criteria the migration writes (a transactional test before this one may have flushed them)
    import importlib

    from django.apps import apps

    importlib.import_module("portal.migrations.0016_default_score_criteria").create_criteria(apps, None)
    rng = random.Random(18)
    street = StreetFactory()
    communities = [CommunityFactory(street=street) for _n in range(4)]
    for community in communities:
        for _n in range(rng.randint(0, 3)):
            six = rng.random() < 0.5
            VenueFactory(community=community, **dict.fromkeys(Venue.SIX_HAVES, six))
        members = [CadreFactory(community=community, is_party_member=True) for _n in range(rng.randint(0, 5))]
        if members and rng.random() < 0.6:
            branch = PartyBranchFactory(community=community)
            for cadre in members:
                BranchMembershipFactory(branch=branch, cadre=cadre, joined_on=datetime.date(2020, 1, 1))
            for _n in range(rng.randint(0, 4)):
                day = QUARTER.start + datetime.timedelta(days=rng.randint(0, QUARTER.days - 1))
                at = local_midnight(day) + datetime.timedelta(hours=9)
                activity = ActivityFactory(
                    community=community,
                    organiser_branch=branch,
                    kind="org_life",
                    starts_at=at,
                    ends_at=at + datetime.timedelta(hours=2),
                )
                for cadre in rng.sample(members, rng.randint(0, len(members))):
                    SignInFactory(activity=activity, cadre=cadre)
        for _n in range(rng.randint(0, 2)):
            CareCaseFactory(cadre=CadreFactory(community=community), opened_on=QUARTER.start)
        for _n in range(rng.randint(0, 3)):
            raised = QUARTER.start + datetime.timedelta(days=rng.randint(0, 60))
            need = NeedFactory(community=community, raised_on=raised)
            if rng.random() < 0.5:
                need.status, need.matched_on = "resolved", raised
                need.resolved_on = raised + datetime.timedelta(days=rng.randint(1, 50))
                need.save(update_fields=["status", "matched_on", "resolved_on"])
        for month in QUARTER.months:
            if rng.random() < 0.6:
                at = local_midnight(next_month(month)) + datetime.timedelta(days=rng.randint(0, 8))
                MonthApproval.objects.create(community=community, month=month, state="accepted", first_submitted_at=at)
    return street, communities


def test_each_value_equals_the_figures_module_for_that_community(street_of_communities):
    street, communities = street_of_communities
    deadline_day = ReportingSettings.current().deadline_day
    measures = community_measures(
        Scope(level="street", street_id=street.pk, district_id=street.district_id),
        QUARTER,
        deadline_day=deadline_day,
        today=TODAY,
    )
    as_of = min(QUARTER.last_day, TODAY)
    for community in communities:
        scope = Scope(level="community", street_id=street.pk, community_id=community.pk)
        got = {key: value for key, (value, _part, _whole) in measures[community.pk].items()}
        organisation = organisation_figures(scope, as_of)
        numbers = figures(scope, as_of=as_of, period=QUARTER)
        assert got["six_haves"] == (organisation["share_rooms_six_haves"] or 0)
        assert got["branch_formed"] == 1 - organisation["communities_needing_branch"]
        assert got["activities"] == round(sum(numbers["activities_by_kind"].values()) / 3, 2)
        assert got["attendance"] == branch_life_figures(scope, QUARTER)["branch_attendance_rate"]
        cases = community.cadres.filter(care_cases__isnull=False).count()
        assert got["visits_on_time"] == (round((cases - numbers["care_overdue"]) / cases, 4) if cases else None)
        raised = list(Need.objects.filter(community=community, raised_on__gte=QUARTER.start, raised_on__lt=QUARTER.end))
        assert len(raised) == need_figures(scope, as_of, QUARTER)["needs_opened"]
        within = sum(1 for need in raised if need.resolved_on and (need.resolved_on - need.raised_on).days <= 30)
        assert got["needs_30_days"] == (round(within / len(raised), 4) if raised else None)
        on_time = sum(
            reporting_figures(scope, month, deadline_day=deadline_day, today=TODAY)["on_time"]
            for month in QUARTER.months
        )
        assert got["reporting_on_time"] == round(on_time / 3, 4)


def test_the_score_follows_weights_targets_and_the_bureau_s_lines(street_of_communities):
    street, communities = street_of_communities
    ScoreCriterion.objects.exclude(measure="branch_formed").update(is_active=False)
    criteria, scores = score_communities(
        Scope(level="street", street_id=street.pk, district_id=street.district_id), QUARTER, TODAY
    )
    assert [c.measure for c in criteria] == ["branch_formed"]
    settings = ReportingSettings.current()
    for row in scores:
        formed = row.cells[0].value
        assert row.score == 100.0 * formed
        assert row.stars == (5 if formed else 0) and row.is_pilot == bool(formed)
    settings.pilot_score, settings.star_thresholds = 100, "10,20,30,40,100"
    settings.save()
    ScoreCriterion.objects.filter(measure="activities").update(is_active=True, weight=30, target=100)
    _criteria, scores = score_communities(
        Scope(level="street", street_id=street.pk, district_id=street.district_id), QUARTER, TODAY
    )
    for row in scores:
        points = sum(cell.points for cell in row.cells if cell.points is not None)
        assert row.score == round(100 * points / 40, 1)
        assert row.is_pilot == (row.score >= 100)
        assert row.stars == sum(1 for line in (10, 20, 30, 40, 100) if row.score >= line)


def test_the_scorecard_page_drills_into_each_community(client, street_of_communities):
    street, communities = street_of_communities
    quarter = f"{QUARTER.start.year}-Q{(QUARTER.start.month - 1) // 3 + 1}"
    client.force_login(make_user(Role.STREET, street=street))
    page = client.get("/dashboard/scorecard/", {"quarter": quarter})
    assert page.status_code == 200
    body = page.content.decode()
    for community in communities:
        assert f"/dashboard/?community={community.pk}" in body and community.name in body
    assert len(page.context["scores"]) == 4
    assert client.get("/dashboard/scorecard/", {"quarter": "1700-Q1"}).status_code == 200  # falls back to this quarter
