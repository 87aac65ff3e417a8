"""Reporting rates equal a direct count, whatever the submission dates; what each level must do next; the
approved figures and the figures changed after an unlock; the approval pages from the worker to the district."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from approvals import rules
from approvals.models import MonthApproval
from approvals.rules import ACCEPTED_STATES, APPROVED_STATES, SUBMITTED_STATES, reporting_deadline
from approvals.services import act, approval_for, pending_for
from communities.models import Community
from core.dates import local_midnight, month_start, months_back, next_month
from core.scope import Scope
from portal.figures import approved_figures, reporting_figures, reporting_trend
from portal.models import CompletenessRule, ReportingSettings
from tests.conftest import make_user
from tests.factories import ActivityFactory, CadreFactory, CommunityFactory, SignInFactory, StreetFactory, the_district

State = MonthApproval.State
TODAY = timezone.localdate()
LAST_MONTH = months_back(month_start(TODAY), 1)
MONTH = months_back(month_start(TODAY), 3)  # a month whose deadline has passed


def _direct_count(approvals: dict, communities: list, deadline_day: int) -> dict:
    """The reporting figures counted one community at a time, as a clerk would with the list."""
    rows = [approvals.get(community.pk) for community in communities]
    submitted = [row for row in rows if row and row[0] in SUBMITTED_STATES]
    return {
        "expected": len(communities),
        "submitted": len(submitted),
        # one row at a time by the one rule (tests/approvals/test_rules.py moves it and finds every count following)
        "on_time": sum(1 for state, at in submitted if rules.is_on_time(at, MONTH, deadline_day)),
        "approved": sum(1 for row in rows if row and row[0] in APPROVED_STATES),
        "accepted": sum(1 for row in rows if row and row[0] in ACCEPTED_STATES),
    }


@pytest.fixture(scope="module")
def places(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        streets = [StreetFactory(district=the_district()), StreetFactory(district=the_district())]
        communities = [CommunityFactory(street=streets[n % 2]) for n in range(7)]
        yield streets, communities
        Community.objects.filter(pk__in=[c.pk for c in communities]).delete()
        for street in streets:
            street.delete()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.one_of(
            st.none(),
            st.tuples(st.sampled_from(State.values), st.integers(min_value=-3 * 24, max_value=20 * 24)),
        ),
        min_size=7,
        max_size=7,
    ),
    deadline_day=st.integers(min_value=1, max_value=28),
)
@pytest.mark.django_db
def test_reporting_rates_equal_a_direct_count(places, rows, deadline_day):
    """Random states and first submissions from three days before the month's end to twenty days after it."""
    streets, communities = places
    MonthApproval.objects.all().delete()
    approvals = {}
    for community, row in zip(communities, rows, strict=True):
        if row is None:
            continue
        state, hours = row
        at = local_midnight(next_month(MONTH)) + datetime.timedelta(hours=hours)
        submitted = at if state != State.OPEN else None
        MonthApproval.objects.create(community=community, month=MONTH, state=state, first_submitted_at=submitted)
        approvals[community.pk] = (state, at)
    district = Scope(level="district", district_id=the_district().pk)
    got = reporting_figures(district, MONTH, deadline_day=deadline_day, today=TODAY)
    expected = _direct_count(approvals, communities, deadline_day)
    assert {key: got[key] for key in expected} == expected
    for row in got["children"]:
        street = next(street for street in streets if street.pk == row["pk"])
        mine = [community for community in communities if community.street_id == street.pk]
        assert {key: row[key] for key in expected} == _direct_count(approvals, mine, deadline_day)
    trend = reporting_trend(district, last_month=MONTH, deadline_day=deadline_day)
    share = expected["on_time"] / expected["expected"]
    assert trend["on_time"][-1] == round(share * 100, 1)
    assert trend["expected"] == len(communities)


@pytest.mark.django_db
def test_each_level_is_reminded_of_what_it_must_do_next():
    CompletenessRule.objects.update(is_active=False)
    street = StreetFactory()
    community = CommunityFactory(street=street)
    worker = make_user(Role.COMMUNITY, community=community)
    street_admin = make_user(Role.STREET, street=street)
    bureau = make_user(Role.BUREAU)
    todos, total = pending_for(worker, TODAY)
    assert [(t.action, t.month) for t in todos] == [("submit", LAST_MONTH)] and total == 1
    assert todos[0].deadline == reporting_deadline(LAST_MONTH, ReportingSettings.current().deadline_day)
    assert pending_for(street_admin, TODAY) == ([], 0)

    approval = act(approval=approval_for(community, LAST_MONTH), action="submit", by=worker)
    assert pending_for(worker, TODAY) == ([], 0)
    assert [t.action for t in pending_for(street_admin, TODAY)[0]] == ["approve"]
    act(approval=approval, action="return_street", by=street_admin, reason="缺活动照片")
    [returned] = pending_for(worker, TODAY)[0]
    assert (returned.action, returned.reason) == ("submit", "缺活动照片")
    act(approval=approval, action="submit", by=worker)
    act(approval=approval, action="approve", by=street_admin)
    assert pending_for(street_admin, TODAY) == ([], 0)
    assert [t.action for t in pending_for(bureau, TODAY)[0]] == ["accept"]
    act(approval=approval, action="accept", by=bureau)
    assert pending_for(bureau, TODAY) == ([], 0)  # one district: nothing to confirm


@pytest.mark.django_db
def test_approved_figures_sum_what_was_accepted_and_mark_what_changed_after_an_unlock():
    CompletenessRule.objects.update(is_active=False)
    street = StreetFactory()
    community, other = CommunityFactory(street=street), CommunityFactory(street=street)
    worker = make_user(Role.COMMUNITY, community=community)
    street_admin = make_user(Role.STREET, street=street)
    bureau = make_user(Role.BUREAU, username="bureau_wang")
    at = local_midnight(LAST_MONTH) + datetime.timedelta(days=9, hours=9)
    activity = ActivityFactory(community=community, starts_at=at, ends_at=at + datetime.timedelta(hours=2))
    SignInFactory(activity=activity, cadre=CadreFactory(community=community))
    SignInFactory(activity=ActivityFactory(community=other, starts_at=at), cadre=CadreFactory(community=other))

    approval = approval_for(community, LAST_MONTH)
    for action, user in (("submit", worker), ("approve", street_admin), ("accept", bureau)):
        approval = act(approval=approval, action=action, by=user)
    scope = Scope(level="street", street_id=street.pk, district_id=street.district_id)
    approved = approved_figures(scope, LAST_MONTH)
    # only the accepted community counts: its one sign-in, not the other's
    assert (approved["accepted"], approved["expected"]) == (1, 2)
    assert approved["totals"]["sign_ins"] == 1 and approved["totals"]["activities"] == 1
    assert approved["changes"] == []

    act(approval=approval, action="unlock", by=bureau, reason="补录一次签到")
    SignInFactory(activity=activity, cadre=CadreFactory(community=community))
    for action, user in (("submit", worker), ("approve", street_admin), ("accept", bureau)):
        approval = act(approval=approval, action=action, by=user)
    approved = approved_figures(scope, LAST_MONTH)
    assert approved["totals"]["sign_ins"] == 2
    [change] = [c for c in approved["changes"] if c["figure"] == "sign_ins"]
    assert (change["before"], change["after"], change["unlocked_by"], change["reason"]) == (
        1,
        2,
        "bureau_wang",
        "补录一次签到",
    )
    assert "sign_ins" in approved["changed"]


@pytest.mark.django_db
def test_the_approval_pages_take_a_month_from_the_worker_to_the_district(client):
    CompletenessRule.objects.update(is_active=False)
    CompletenessRule.objects.update_or_create(
        code=CompletenessRule.Code.ROOMS_USED, defaults={"is_active": True, "threshold": 1}
    )
    street = StreetFactory()
    community = CommunityFactory(street=street, name="桃花山社区")
    from tests.factories import VenueFactory

    VenueFactory(community=community, name="一楼党员活动室")  # not used last month: a failing check
    worker = make_user(Role.COMMUNITY, community=community)
    street_admin = make_user(Role.STREET, street=street)
    bureau = make_user(Role.BUREAU)
    url = f"/ledgers/approvals/{community.pk}/{LAST_MONTH:%Y-%m}/"

    client.force_login(worker)
    home = client.get("/worker/").content.decode()
    assert url in home and "台账待办" in home
    page = client.get(url)
    assert page.status_code == 200 and "一楼党员活动室" in page.content.decode()
    refused = client.post(url, {"action": "submit"})
    assert refused.status_code == 200 and "请逐项说明原因" in refused.content.decode()
    assert not MonthApproval.objects.filter(state=State.SUBMITTED).exists()
    done = client.post(url, {"action": "submit", "explain_rooms_used": "活动室漏水维修"})
    assert done.status_code == 302

    client.force_login(street_admin)
    queue = client.get("/ledgers/approvals/", {"month": f"{LAST_MONTH:%Y-%m}"})
    assert queue.context["reporting"]["submitted"] == 1
    assert "请写明退回的原因" in client.post(url, {"action": "return_street", "reason": ""}).content.decode()
    client.post(url, {"action": "return_street", "reason": "请补充维修说明"})
    assert MonthApproval.objects.get().state == State.OPEN

    client.force_login(worker)
    assert "请补充维修说明" in client.get("/worker/").content.decode()
    client.post(url, {"action": "submit", "explain_rooms_used": "活动室漏水维修，11月20日完工"})
    client.force_login(street_admin)
    client.post(url, {"action": "approve"})
    client.force_login(bureau)
    assert "只有街道管理员可以审核通过" in client.post(url, {"action": "approve"}).content.decode()  # not the bureau's
    client.post(url, {"action": "accept"})
    approval = MonthApproval.objects.get()
    assert approval.state == State.ACCEPTED and approval.figures
    assert [step.action for step in approval.steps.all()] == ["submit", "return_street", "submit", "approve", "accept"]
    dashboard = client.get("/dashboard/", {"street": street.pk, "month": f"{LAST_MONTH:%Y-%m}"})
    assert dashboard.context["reporting"]["accepted"] == 1


@pytest.mark.django_db
def test_the_list_of_a_level_costs_the_same_queries_for_more_communities(client, django_assert_max_num_queries):
    street = StreetFactory()
    for _n in range(3):
        CommunityFactory(street=street)
    user = make_user(Role.STREET, street=street)
    client.force_login(user)
    with django_assert_max_num_queries(20) as few:
        client.get("/ledgers/approvals/")
    for _n in range(12):
        MonthApproval.objects.create(community=CommunityFactory(street=street), month=LAST_MONTH, state=State.SUBMITTED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/ledgers/approvals/")
    assert len(response.context["page"].object_list) == 15


@pytest.mark.django_db
def test_the_list_filters_by_status_in_the_database(client):
    street = StreetFactory()
    on_time, late, missing = (
        CommunityFactory(street=street, name=name) for name in ("按时社区", "迟报社区", "未报社区")
    )
    deadline = reporting_deadline(MONTH, ReportingSettings.current().deadline_day)
    for community, day in ((on_time, deadline), (late, deadline + datetime.timedelta(days=1))):
        at = local_midnight(day) + datetime.timedelta(hours=10)
        MonthApproval.objects.create(community=community, month=MONTH, state=State.SUBMITTED, first_submitted_at=at)
    client.force_login(make_user(Role.STREET, street=street))
    for status, expected in (("on_time", [on_time]), ("late", [late]), ("missing", [missing]), ("due", [])):
        page = client.get("/ledgers/approvals/", {"month": f"{MONTH:%Y-%m}", "status": status}).context["page"]
        assert [row["community"] for row in page.object_list] == expected, status
        assert all(row["status"] == status for row in page.object_list)
