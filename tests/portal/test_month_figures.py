"""Figures mean their names: 开展活动 counts what took place, absences exist once an activity has ended, a share
names its denominator; the dashboard shows one month everywhere and never reads a partial sum as a total; the
street is told when it approves a month whose failing checks nobody explained."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Role
from activities.absences import absences_of, branch_activities
from activities.models import Activity
from activities.services import cancel_activity, record_sign_in, save_activity, undo_sign_in
from approvals.models import MonthApproval
from approvals.services import act, approval_for
from core.dates import Period, local_midnight, month_start, months_back, next_month
from core.scope import Scope
from portal.figures import figures
from portal.models import CompletenessRule
from tests.conftest import make_user
from tests.factories import (
    ActivityFactory,
    BranchMembershipFactory,
    CadreFactory,
    CommunityFactory,
    PartyBranchFactory,
    StreetFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
LAST_MONTH = months_back(month_start(TODAY), 1)


def test_activities_held_are_those_that_took_place_in_every_state_an_activity_can_be_in():
    community = CommunityFactory()
    worker = make_user(Role.COMMUNITY, community=community)
    venue = VenueFactory(community=community)
    at = local_midnight(LAST_MONTH + datetime.timedelta(days=4)) + datetime.timedelta(hours=9)

    def activity(hours, status=Activity.Status.PLANNED):
        start = at + datetime.timedelta(hours=hours)
        return ActivityFactory(
            community=community,
            venue=venue,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            status=status,
        )

    signed = activity(0)  # planned, then someone signed in: it took place
    record_sign_in(activity=signed, cadre=CadreFactory(community=community), by=worker)
    activity(2, Activity.Status.HELD)  # its record was written
    activity(4)  # planned, nobody came, nothing written: not held
    cancelled = activity(6)
    record_sign_in(activity=cancelled, cadre=CadreFactory(community=community), by=worker)
    cancel_activity(activity=cancelled)  # its sign-in does not count either
    undone = activity(8)
    line, _new = record_sign_in(activity=undone, cadre=CadreFactory(community=community), by=worker)
    undo_sign_in(sign_in=line)  # the only tap taken back: planned again
    moved = activity(10, Activity.Status.HELD)
    moved.starts_at, moved.ends_at = (
        moved.starts_at + datetime.timedelta(days=40),
        moved.ends_at + datetime.timedelta(days=40),
    )
    save_activity(activity=moved)  # moved out of the month
    ActivityFactory(community=community, venue=venue)  # this month's, still ahead

    scope = Scope(level="community", street_id=community.street_id, community_id=community.pk)
    numbers = figures(scope, as_of=Period.month_of(LAST_MONTH).last_day, period=Period.month_of(LAST_MONTH))
    assert sum(numbers["activities_by_kind"].values()) == 2  # signed and written, by hand
    assert numbers["sign_ins"] == 1
    assert Activity.objects.get(pk=undone.pk).status == Activity.Status.PLANNED
    assert Activity.objects.get(pk=signed.pk).status == Activity.Status.HELD


def test_nobody_is_absent_from_a_branch_activity_until_it_has_ended():
    """At 10:20, a 09:00–11:00 主题党日 with nobody signed in yet puts no follow-up on the liaison's list."""
    community = CommunityFactory()
    branch = PartyBranchFactory(community=community)
    for _n in range(4):
        BranchMembershipFactory(branch=branch, cadre__community=community)
    now = timezone.now()
    running = ActivityFactory(
        community=community,
        organiser_branch=branch,
        kind=Activity.Kind.PARTY_DAY,
        status=Activity.Status.HELD,
        starts_at=now - datetime.timedelta(minutes=80),
        ends_at=now + datetime.timedelta(minutes=40),
    )
    over = ActivityFactory(
        community=community,
        organiser_branch=branch,
        kind=Activity.Kind.PARTY_DAY,
        status=Activity.Status.HELD,
        starts_at=now - datetime.timedelta(days=3),
        ends_at=now - datetime.timedelta(days=3) + datetime.timedelta(hours=2),
    )
    start, end = local_midnight(TODAY - datetime.timedelta(days=10)), local_midnight(TODAY + datetime.timedelta(days=1))
    listed = branch_activities(Scope(level="city"), start, end)
    assert list(listed) == [over]
    assert [len(entry.absences) for entry in absences_of(listed)] == [4]
    assert running not in listed


def _accepted(community, worker, street_clerk, bureau):
    approval = approval_for(community, LAST_MONTH)
    for action, by in (("submit", worker), ("approve", street_clerk), ("accept", bureau)):
        approval = act(approval=approval, action=action, by=by)
    return approval


def test_the_leaders_dashboard_opens_on_every_communitys_figures_and_says_how_many_are_accepted(client):
    CompletenessRule.objects.update(is_active=False)
    street, other_street = StreetFactory(), StreetFactory()
    accepted, waiting = CommunityFactory(street=street), CommunityFactory(street=street)
    CommunityFactory(street=other_street)
    for community in (accepted, waiting):
        CadreFactory.create_batch(3, community=community)
    bureau = make_user(Role.BUREAU)
    _accepted(accepted, make_user(Role.COMMUNITY, community=accepted), make_user(Role.STREET, street=street), bureau)
    leader = make_user(Role.LEADER)
    client.force_login(leader)
    month = f"{LAST_MONTH:%Y-%m}"

    live = client.get("/dashboard/", {"month": month})
    page = live.content.decode()
    assert live.context["view"] == "live"
    assert live.context["figures"]["cadres_total"] >= 6  # every community's cadres, accepted or not
    assert "已审定 1/" in page
    assert live.context["reporting"]["month"] == LAST_MONTH  # the header's month is the reporting card's

    approved = client.get("/dashboard/", {"month": month, "figures": "approved"})
    page = approved.content.decode()
    assert approved.context["approved"]["accepted"] == 1
    assert "不是全区合计" in page and page.count("已审定 1/") >= len(approved.context["approved_cards"])
    rows = {row["pk"]: row for row in approved.context["approved_children"]}
    assert rows[other_street.pk]["figures"] is None and "未审定" in page  # never a column of 0
    assert rows[street.pk]["figures"]["cadres_total"] == 3  # the accepted community's, and says 1/2
    assert (rows[street.pk]["accepted"], rows[street.pk]["expected"]) == (1, 2)

    this_month = client.get("/dashboard/", {"figures": "approved"})
    assert this_month.context["approved"] is None and "尚未结束" in this_month.content.decode()
    assert this_month.context["reporting"]["month"] == month_start(TODAY)


def test_approving_a_month_whose_failing_checks_are_unexplained_asks_for_the_approvers_reason(client):
    CompletenessRule.objects.update(is_active=False)
    street = StreetFactory()
    community = CommunityFactory(street=street)
    worker, clerk = make_user(Role.COMMUNITY, community=community), make_user(Role.STREET, street=street)
    approval = act(approval=approval_for(community, LAST_MONTH), action="submit", by=worker)
    # the bureau turns a check on after the month was submitted: the room was never used, and nobody said why
    CompletenessRule.objects.update_or_create(
        code=CompletenessRule.Code.ROOMS_USED, defaults={"is_active": True, "threshold": 1}
    )
    VenueFactory(community=community, name="二楼活动室")
    client.force_login(clerk)
    url = f"/ledgers/approvals/{community.pk}/{LAST_MONTH:%Y-%m}/"
    page = client.get(url).content.decode()
    assert "二楼活动室" in page and "审核意见" in page
    refused = client.post(url, {"action": "approve"})
    assert "社区也没有说明原因" in refused.content.decode()
    assert MonthApproval.objects.get(pk=approval.pk).state == MonthApproval.State.SUBMITTED
    with pytest.raises(ValidationError, match="请写明您审核通过的理由"):
        act(approval=approval, action="approve", by=clerk)
    client.post(url, {"action": "approve", "reason": "已电话核实，活动室漏水停用"})
    approval.refresh_from_db()
    assert approval.state == MonthApproval.State.APPROVED
    assert approval.approver_reason == "已电话核实，活动室漏水停用"
    assert next_month(LAST_MONTH) <= TODAY
