"""The month's approval up the hierarchy: every allowed and refused transition by role and scope, the
checks a submission must pass or explain, returns and unlocks with reasons, and the lock on the records."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Role
from approvals.lock import assert_month_open
from approvals.models import ApprovalStep, MonthApproval
from approvals.rules import TRANSITIONS
from approvals.services import act, allowed_actions, approval_for, refusal
from communities.models import AuditEvent
from core.dates import month_start, months_back
from portal.models import CompletenessRule
from tests.conftest import make_user
from tests.factories import CommunityFactory, DistrictFactory, StreetFactory, VenueFactory

pytestmark = pytest.mark.django_db
State = MonthApproval.State
LAST_MONTH = months_back(month_start(timezone.localdate()), 1)

# written out by hand (not read from TRANSITIONS): who may take which action from which state
ALLOWED = {
    (State.OPEN, "submit"): {"worker_a"},
    (State.SUBMITTED, "approve"): {"street_1"},
    (State.SUBMITTED, "return_street"): {"street_1"},
    (State.APPROVED, "accept"): {"bureau", "city_bureau"},
    (State.APPROVED, "return_district"): {"bureau", "city_bureau"},
    (State.ACCEPTED, "confirm"): {"city_bureau"},
    (State.ACCEPTED, "unlock"): {"bureau", "city_bureau"},
    (State.CONFIRMED, "unlock"): {"city_bureau"},
}


@pytest.fixture
def world():
    CompletenessRule.objects.update(is_active=False)  # the checks have their own test below
    street_1, street_2 = StreetFactory(), StreetFactory()
    a, b = CommunityFactory(street=street_1), CommunityFactory(street=street_2)
    DistrictFactory()  # a second district: the city confirms
    actors = {
        "worker_a": make_user(Role.COMMUNITY, community=a),
        "worker_b": make_user(Role.COMMUNITY, community=b),
        "street_1": make_user(Role.STREET, street=street_1),
        "street_2": make_user(Role.STREET, street=street_2),
        "bureau": make_user(Role.BUREAU),
        "city_bureau": make_user(Role.BUREAU, city=True),
        "leader": make_user(Role.LEADER),
        "sysadmin": make_user(Role.SYSADMIN, city=True),
        "auditor": make_user(Role.AUDITOR, city=True),
        "unit": make_user(Role.UNIT),
    }
    return a, actors


def test_every_transition_is_allowed_to_exactly_its_role_and_scope(world):
    community, actors = world
    approval = approval_for(community, LAST_MONTH)
    checked = 0
    for state in State.values:
        MonthApproval.objects.filter(pk=approval.pk).update(state=state)
        approval.refresh_from_db()
        for action in TRANSITIONS:
            for name, user in actors.items():
                expected = name in ALLOWED.get((state, action), set())
                why = refusal(approval, action, user)
                assert (why is None) == expected, (state, action, name, why)
                checked += 1
    assert checked == len(State.values) * len(TRANSITIONS) * len(actors)
    assert set(ALLOWED) == {(s, a) for s in State.values for a, t in TRANSITIONS.items() if s in t.sources}


def test_a_refused_action_says_why_and_writes_nothing(world):
    community, actors = world
    approval = approval_for(community, LAST_MONTH)
    with pytest.raises(ValidationError, match="只有街道管理员可以审核通过"):
        act(approval=approval, action="approve", by=actors["worker_a"])
    with pytest.raises(ValidationError, match="不在您的管辖范围内"):
        act(approval=approval, action="submit", by=actors["worker_b"])
    act(approval=approval, action="submit", by=actors["worker_a"])
    with pytest.raises(ValidationError, match="请写明退回的原因"):
        act(approval=approval, action="return_street", by=actors["street_1"], reason="  ")
    approval.refresh_from_db()
    assert approval.state == State.SUBMITTED
    assert ApprovalStep.objects.count() == 1
    # every refused step is in the audit trail: who tried what, and why it was refused
    refused = AuditEvent.objects.filter(kind=AuditEvent.Kind.APPROVAL, detail__has_key="refused").order_by("pk")
    assert [(e.user, e.detail["action"]) for e in refused] == [
        (actors["worker_a"], "approve"),
        (actors["worker_b"], "submit"),
        (actors["street_1"], "return_street"),
    ]
    assert "只有街道管理员可以审核通过" in refused[0].detail["refused"]


def test_this_month_cannot_be_submitted_before_it_ends(world):
    community, actors = world
    approval = approval_for(community, timezone.localdate())
    assert "尚未结束" in refusal(approval, "submit", actors["worker_a"])


def test_the_whole_way_up_with_a_return_and_an_unlock(world):
    community, actors = world
    approval = approval_for(community, LAST_MONTH)
    act(approval=approval, action="submit", by=actors["worker_a"])
    returned = act(approval=approval, action="return_street", by=actors["street_1"], reason="活动照片缺失")
    assert (returned.state, returned.returned_reason) == (State.OPEN, "活动照片缺失")
    assert allowed_actions(returned, actors["worker_a"]) == ["submit"]
    act(approval=approval, action="submit", by=actors["worker_a"])
    act(approval=approval, action="approve", by=actors["street_1"])
    accepted = act(approval=approval, action="accept", by=actors["bureau"])
    assert accepted.is_locked

    with pytest.raises(ValidationError, match="已审定锁定"):
        assert_month_open(community.pk, LAST_MONTH + datetime.timedelta(days=9))
    assert_month_open(community.pk, month_start(timezone.localdate()))  # another month: open
    assert_month_open(CommunityFactory().pk, LAST_MONTH)  # another community: open

    act(approval=approval, action="unlock", by=actors["bureau"], reason="更正一次走访记录")
    assert_month_open(community.pk, LAST_MONTH)
    steps = list(ApprovalStep.objects.filter(approval=approval).values_list("action", "to_state", "reason"))
    assert steps == [
        ("submit", State.SUBMITTED, ""),
        ("return_street", State.OPEN, "活动照片缺失"),
        ("submit", State.SUBMITTED, ""),
        ("approve", State.APPROVED, ""),
        ("accept", State.ACCEPTED, ""),
        ("unlock", State.OPEN, "更正一次走访记录"),
    ]
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.APPROVAL).count() == 6


def test_a_failing_check_needs_a_written_reason_to_submit(world):
    community, actors = world
    CompletenessRule.objects.filter(code=CompletenessRule.Code.ROOMS_USED).update(is_active=True, threshold=1)
    VenueFactory(community=community, kind="party_room", name="党员活动室")  # never used last month
    approval = approval_for(community, LAST_MONTH)
    with pytest.raises(ValidationError, match="请逐项说明原因"):
        act(approval=approval, action="submit", by=actors["worker_a"])
    submitted = act(
        approval=approval,
        action="submit",
        by=actors["worker_a"],
        explanations={CompletenessRule.Code.ROOMS_USED: "活动室装修，借用隔壁社区场地"},
    )
    assert submitted.state == State.SUBMITTED
    assert submitted.explanations == {"rooms_used": "活动室装修，借用隔壁社区场地"}


@pytest.mark.parametrize("state", [State.SUBMITTED, State.APPROVED, State.ACCEPTED, State.CONFIRMED])
def test_every_record_of_a_frozen_month_is_refused_with_the_reason(world, state):
    """From submission on: activities (new, edited, moved in or out, cancelled, restored, their written record and
    photos), sign-ins, offline batches and their undo, follow-ups of absences, visits (new and corrected), needs
    and their steps, time-bank credits and exchanges."""
    from activities.models import Activity, ActivitySeries, Need
    from activities.photos import add_photo
    from activities.services.followups import record_follow_up
    from activities.services.needs import move_need, raise_need, record_visit_with_need
    from activities.services.schedule import (
        cancel_activity,
        create_series,
        record_sign_in,
        restore_activity,
        save_activity,
        save_record,
        sync_sign_ins,
        undo_sign_in,
    )
    from activities.services.timebank import (
        credit_volunteer_activity,
        record_service,
        redeem_points,
        reverse_redemption,
        reverse_service,
    )
    from cadres.models import Visit
    from cadres.services import change_visit, record_visit
    from tests.activities.test_photos import phone_photo
    from tests.factories import ActivityFactory, CadreFactory, NeedFactory

    community, actors = world
    day = LAST_MONTH + datetime.timedelta(days=9)
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    cadre = CadreFactory(community=community)
    activity = ActivityFactory(community=community, starts_at=at, ends_at=at + datetime.timedelta(hours=2))
    sign_in, _new = record_sign_in(activity=activity, cadre=CadreFactory(community=community), by=actors["worker_a"])
    later = ActivityFactory(
        community=community,
        starts_at=timezone.now() + datetime.timedelta(days=1),
        ends_at=timezone.now() + datetime.timedelta(days=1, hours=2),
    )
    volunteering = ActivityFactory(
        community=community, kind="volunteer", starts_at=at, ends_at=at + datetime.timedelta(hours=2)
    )
    need = NeedFactory(community=community, raised_on=day - datetime.timedelta(days=3))
    cancelled = ActivityFactory(
        community=community,
        status="cancelled",
        starts_at=at + datetime.timedelta(hours=3),
        ends_at=at + datetime.timedelta(hours=4),
    )
    visit = record_visit(cadre=cadre, visited_on=day, visitors="李四")
    credit = record_service(cadre=cadre, served_on=day, hours=2, description="助老", verified_by=actors["worker_a"])
    exchange = redeem_points(cadre=cadre, points=1, item="毛巾", on=day, by=actors["worker_a"])
    approval = approval_for(community, LAST_MONTH)
    MonthApproval.objects.filter(pk=approval.pk).update(state=state)

    refused = [
        lambda: save_activity(
            activity=Activity(
                community=community,
                venue=activity.venue,
                kind="study",
                title="补录",
                starts_at=at + datetime.timedelta(hours=5),
                ends_at=at + datetime.timedelta(hours=6),
            )
        ),
        lambda: save_activity(activity=Activity.objects.get(pk=activity.pk)),  # an edit
        lambda: cancel_activity(activity=Activity.objects.get(pk=activity.pk)),
        lambda: record_sign_in(activity=activity, cadre=cadre, by=actors["worker_a"]),
        lambda: undo_sign_in(sign_in=sign_in),
        lambda: record_visit(cadre=cadre, visited_on=day, visitors="张三"),
        lambda: change_visit(visit=Visit.objects.get(pk=visit.pk)),
        lambda: record_visit_with_need(cadre=cadre, visited_on=day, visitors="张三", kind="routine"),
        lambda: restore_activity(activity=Activity.objects.get(pk=cancelled.pk)),
        lambda: raise_need(need=Need(community=community, title="补录需求", raised_on=day, category="life_care")),
        lambda: move_need(need=need, to=Need.Status.CLOSED, on=day, note="补录"),
        lambda: record_follow_up(activity=activity, cadre=cadre, how="home", done_on=day, note="", by=None),
        lambda: add_photo(activity=activity, upload=phone_photo()),
        lambda: save_record(activity=Activity.objects.get(pk=activity.pk), text="补写记录", by=actors["worker_a"]),
        lambda: record_service(
            cadre=cadre, served_on=day, hours=2, description="补录服务", verified_by=actors["worker_a"]
        ),
        lambda: redeem_points(cadre=cadre, points=1, item="毛巾", on=day, by=actors["worker_a"]),
        lambda: credit_volunteer_activity(activity=volunteering, by=actors["worker_a"]),
        lambda: create_series(
            series=ActivitySeries(
                community=community,
                venue=activity.venue,
                kind="study",
                title="每周学习",
                repeat="weekly",
                start_time=datetime.time(14),
                end_time=datetime.time(15),
                first_date=day,
                last_date=day + datetime.timedelta(days=7),
            )
        ),
    ]
    moved_in = Activity.objects.get(pk=later.pk)
    moved_in.starts_at, moved_in.ends_at = at + datetime.timedelta(hours=8), at + datetime.timedelta(hours=9)
    refused.append(lambda: save_activity(activity=moved_in))
    moved_out = Visit.objects.get(pk=visit.pk)
    moved_out.visited_on = timezone.localdate()
    refused.append(lambda: change_visit(visit=moved_out))  # out of the frozen month is a change to it too
    for attempt in refused:
        with pytest.raises(ValidationError, match="不能修改"):
            attempt()
    assert Activity.objects.get(pk=activity.pk).status != Activity.Status.CANCELLED
    assert activity.sign_ins.count() == 1
    assert Visit.objects.get(pk=visit.pk).visited_on == day
    answers = sync_sign_ins(
        activity=activity, taps=[{"key": uuid.uuid4(), "cadre": cadre.pk, "at": at}], by=actors["worker_a"]
    )
    assert [answer["status"] for answer in answers] == ["refused"] and "不能修改" in answers[0]["message"]
    assert activity.sign_ins.count() == 1

    # a correction of the time bank is dated the day it is made: the frozen month's figures stand
    assert reverse_redemption(redemption=exchange, by=actors["bureau"]).redeemed_on == timezone.localdate()
    assert reverse_service(record=credit, by=actors["bureau"], reason="录错").served_on == timezone.localdate()

    if state in (State.ACCEPTED, State.CONFIRMED):
        act(approval=approval, action="unlock", by=actors["city_bureau"], reason="补录一次走访")
    else:
        action = "return_street" if state == State.SUBMITTED else "return_district"
        act(
            approval=approval,
            action=action,
            by=actors["street_1" if state == State.SUBMITTED else "bureau"],
            reason="补录",
        )
    record_visit(cadre=cadre, visited_on=day, visitors="张三")


# every public function of the services that write a community's records, and how the lock treats it
LOCK_CHECKED = {
    "activities.services.schedule": {
        "save_activity",
        "cancel_activity",
        "restore_activity",
        "record_sign_in",
        "sync_sign_ins",
        "undo_sign_in",
        "save_record",
        "create_series",
    },
    "activities.services.needs": {"raise_need", "move_need", "record_visit_with_need"},
    "activities.services.followups": {"record_follow_up"},
    "activities.services.timebank": {
        "record_service",
        "redeem_points",
        "credit_volunteer_activity",
        "reverse_service",
        "reverse_redemption",
    },
    "activities.photos": {"add_photo"},
    "cadres.services": {"record_visit", "change_visit"},
}
NOT_LOCKED = {
    "activities.services.timebank": {"balance_of"},
    # reads, checks and a member's standing, which belong to no month
    "activities.services.schedule": {"venue_clashes", "check_venue_free", "check_sign_in", "series_dates"},
    "activities.services.needs": {"suggestions_for"},
    "activities.services.followups": set(),
    "activities.photos": set(),
    # the dated excuses of 送学上门 take effect only from a day of the current month, which is never frozen
    # (excuse_day_bounds; tests/activities/test_dated_excuses.py tries a day of a past month)
    "cadres.services": {"open_care_case_of", "excuse_day_bounds", "mark_attendance", "mark_lives_away"},
}


@pytest.mark.parametrize("module_name", sorted(LOCK_CHECKED))
def test_every_write_service_is_listed_with_how_the_lock_treats_it(module_name):
    """A new service that writes a month's records fails here until it is listed (and tried in a frozen month)."""
    import importlib
    import inspect

    module = importlib.import_module(module_name)
    public = {
        name
        for name, value in vars(module).items()
        if inspect.isfunction(value) and value.__module__ == module_name and not name.startswith("_")
    }
    assert public == LOCK_CHECKED[module_name] | NOT_LOCKED[module_name]
    # each listed service is refused in a frozen month by test_every_record_of_a_frozen_month_is_refused_with_the_reason


@pytest.mark.django_db(transaction=True)
def test_two_street_clerks_at_the_same_moment_take_one_step(monkeypatch):
    """One approves while the other returns the same month: one wins, the other is told (PostgreSQL row lock)."""
    import threading
    import time

    from django.db import connection

    from approvals import services as approvals

    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL (.ci/run's second pass); SQLite serialises writers")
    CompletenessRule.objects.update(is_active=False)
    street = StreetFactory()
    community = CommunityFactory(street=street)
    approval = act(
        approval=approval_for(community, LAST_MONTH),
        action="submit",
        by=make_user(Role.COMMUNITY, community=community),
    )
    clerks = [make_user(Role.STREET, street=street), make_user(Role.STREET, street=street)]
    real_refusal = approvals.refusal

    def slow_refusal(*args, **kwargs):
        why = real_refusal(*args, **kwargs)
        time.sleep(0.5)  # both would see "submitted" here if nothing made them queue
        return why

    monkeypatch.setattr(approvals, "refusal", slow_refusal)
    outcomes, start = [], threading.Barrier(2)

    def take(action, clerk):
        start.wait()
        try:
            act(approval=approval, action=action, by=clerk, reason="照片不全")
            outcomes.append(action)
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=take, args=("approve", clerks[0])),
        threading.Thread(target=take, args=("return_street", clerks[1])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("refused") == 1
    assert ApprovalStep.objects.filter(approval=approval).count() == 2  # the submission and the one winner


@pytest.mark.django_db(transaction=True)
def test_every_write_service_takes_the_lock_in_its_own_transaction():
    """Outside any test transaction (as a request runs in production), each write service opens its own, so the
    lock's row read lasts until the write commits; a service that checked outside one would fail here."""
    from activities.models import Need
    from activities.photos import add_photo
    from activities.services.followups import record_follow_up
    from activities.services.needs import raise_need
    from activities.services.schedule import record_sign_in, save_record, sync_sign_ins
    from cadres.services import record_visit
    from tests.activities.test_photos import phone_photo
    from tests.factories import ActivityFactory, BranchMembershipFactory, CadreFactory, PartyBranchFactory

    CompletenessRule.objects.update(is_active=False)
    community = CommunityFactory()
    worker = make_user(Role.COMMUNITY, community=community)
    branch = PartyBranchFactory(community=community)
    absent = BranchMembershipFactory(branch=branch, cadre__community=community).cadre
    now = timezone.now()
    activity = ActivityFactory(
        community=community,
        organiser_branch=branch,
        kind="party_day",
        starts_at=now - datetime.timedelta(hours=3),
        ends_at=now - datetime.timedelta(hours=1),
    )
    for day in (timezone.localdate(), LAST_MONTH + datetime.timedelta(days=3)):  # the open month and a closed one
        record_visit(cadre=CadreFactory(community=community), visited_on=day, visitors="联络员")
    record_sign_in(activity=activity, cadre=CadreFactory(community=community), by=worker)
    sync_sign_ins(
        activity=activity, taps=[{"key": uuid.uuid4(), "cadre": CadreFactory(community=community).pk}], by=worker
    )
    save_record(activity=activity, text="学习党章", by=worker)
    add_photo(activity=activity, upload=phone_photo(), by=worker)
    record_follow_up(activity=activity, cadre=absent, how="home", done_on=timezone.localdate(), note="", by=worker)
    raise_need(need=Need(community=community, title="修水管", raised_on=timezone.localdate(), category="life_care"))
    assert activity.sign_ins.count() == 2 and activity.photos.count() == 1 and activity.follow_ups.count() == 1
