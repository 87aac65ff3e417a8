"""Ledger runs finish, or say why: units claimed once, roll-ups after their communities, dead workers'
units re-sent by the sweeper, lost messages re-sent, failures named, 续跑 builds only what is missing,
and no closed month is left without its ledgers."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from accounts.models import Role
from portal import ledger_runs, tasks
from portal.ledger_runs import start_run, sweep, work_on
from portal.models import LedgerReport, LedgerRun, LedgerRunUnit
from tests.conftest import make_user
from tests.factories import CommunityFactory, StreetFactory

pytestmark = pytest.mark.django_db
OCTOBER = datetime.date(2026, 10, 1)
MINUTES = datetime.timedelta(minutes=1)


@pytest.fixture
def district():
    """Two streets with two communities each: 4 community units, 2 streets, the district: 7 units."""
    streets = [StreetFactory(), StreetFactory()]
    communities = [CommunityFactory(street=street) for street in streets for _n in range(2)]
    return {"streets": streets, "communities": communities}


def _units(run, **filters):
    return list(LedgerRunUnit.objects.filter(run=run, **filters).order_by("pk"))


def _drain(run, ready, task_id="worker"):
    """What a pool of workers does: build every unit sent, and whatever each makes ready."""
    while ready:
        ready += work_on(ready.pop(0), task_id)
    return LedgerRun.objects.get(pk=run.pk)


def test_a_run_builds_communities_then_their_streets_then_the_district(district):
    run, opened = start_run(kind="month", start=OCTOBER, trigger="command")
    assert opened and run.scopes_expected == 7
    first = ledger_runs.queue_ready(run.pk)
    assert len(first) == 4  # the roll-ups wait for their communities
    order = []
    ready = list(first)
    while ready:
        unit_id = ready.pop(0)
        order.append(LedgerRunUnit.objects.get(pk=unit_id).key.split(":")[0])
        ready += work_on(unit_id, "worker")
    assert order == ["community"] * 4 + ["street"] * 2 + ["district"]
    run.refresh_from_db()
    assert (run.status, run.scopes_built, run.scopes_expected) == ("done", 7, 7)
    assert LedgerReport.objects.filter(run=run, period_start=OCTOBER).count() == 7


def test_a_second_start_of_the_same_month_joins_the_run_in_progress(district):
    run, opened = start_run(kind="month", start=OCTOBER, trigger="admin")
    again, opened_again = start_run(kind="month", start=OCTOBER, trigger="admin")
    assert opened and not opened_again and again.pk == run.pk
    assert LedgerRun.objects.count() == 1


def test_the_progress_count_can_never_exceed_the_total(district):
    run, _opened = start_run(kind="month", start=OCTOBER, trigger="admin")
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerRun.objects.filter(pk=run.pk).update(scopes_built=run.scopes_expected + 1)


def test_a_copy_of_a_message_does_not_build_a_ledger_twice(district, monkeypatch):
    run, _opened = start_run(kind="month", start=OCTOBER, trigger="admin")
    unit_id = ledger_runs.queue_ready(run.pk)[0]
    built, real = [], ledger_runs.build

    def counting(unit):
        built.append(unit.key)
        return real(unit)

    monkeypatch.setattr(ledger_runs, "build", counting)
    work_on(unit_id, "task-a")
    assert work_on(unit_id, "task-b") == []  # re-delivered, or re-sent by the sweeper: already done
    assert len(built) == 1


def test_a_unit_held_by_another_task_is_left_to_it(district):
    run, _opened = start_run(kind="month", start=OCTOBER, trigger="admin")
    unit_id = ledger_runs.queue_ready(run.pk)[0]
    assert ledger_runs.claim(unit_id, "task-a") is not None
    assert ledger_runs.claim(unit_id, "task-b") is None
    assert ledger_runs.claim(unit_id, "task-a") is not None  # the task's own retry takes it back


def test_a_run_whose_worker_died_is_resumed_by_the_sweeper_without_building_twice(district):
    run, _opened = start_run(kind="month", start=OCTOBER, trigger="beat")
    ready = ledger_runs.queue_ready(run.pk)
    dying = ready.pop(0)
    ledger_runs.claim(dying, "killed-task")  # the worker took it and was killed (SIGKILL, OOM)
    run = _drain(run, ready)
    assert run.status == "running" and run.scopes_built == 4  # 3 communities, the other street; 2 wait

    later = timezone.now() + 2 * MINUTES
    assert sweep(alive={"some-other-task"}, queue_empty=True, now=timezone.now()).requeued == []  # too recent
    swept = sweep(alive={"some-other-task"}, queue_empty=True, now=later)
    assert swept.requeued == [dying]
    run = _drain(run, swept.to_send)
    assert (run.status, run.scopes_built) == ("done", 7)
    assert LedgerRunUnit.objects.get(pk=dying).attempts == 2
    assert LedgerReport.objects.filter(period_start=OCTOBER).count() == 7


def test_a_unit_whose_task_is_still_alive_is_not_taken_from_it(district):
    run, _opened = start_run(kind="month", start=OCTOBER, trigger="beat")
    unit_id = ledger_runs.queue_ready(run.pk)[0]
    ledger_runs.claim(unit_id, "slow-task")
    swept = sweep(alive={"slow-task"}, queue_empty=True, now=timezone.now() + 2 * MINUTES)
    assert unit_id not in swept.requeued
    assert LedgerRunUnit.objects.get(pk=unit_id).status == "running"


def test_without_an_answer_from_the_workers_only_a_unit_past_its_time_limit_is_dead(district, settings):
    run, _opened = start_run(kind="month", start=OCTOBER, trigger="beat")
    unit_id = ledger_runs.queue_ready(run.pk)[0]
    ledger_runs.claim(unit_id, "silent-task")
    assert sweep(alive=None, queue_empty=None, now=timezone.now() + 2 * MINUTES).requeued == []
    limit = datetime.timedelta(seconds=settings.LEDGER_UNIT_TIME_LIMIT + 60)
    assert sweep(alive=None, queue_empty=None, now=timezone.now() + limit).requeued == [unit_id]


def test_queued_units_whose_messages_were_lost_are_sent_again(district):
    run, _opened = start_run(kind="month", start=OCTOBER, trigger="beat")
    queued = ledger_runs.queue_ready(run.pk)  # sent to a broker that then restarted without them
    later = timezone.now() + 5 * MINUTES
    assert sweep(alive=set(), queue_empty=False, now=later).resent == []  # still in the queue: wait
    swept = sweep(alive=set(), queue_empty=True, now=later)
    assert sorted(swept.resent) == sorted(queued)
    assert _drain(run, swept.to_send).status == "done"


def test_the_sweepers_own_passes_are_not_progress(district):
    """A run whose messages were lost (a unit queued while Redis was down) is re-sent after the stall
    time even though the sweeper looked at it every few seconds meanwhile."""
    run, _opened = start_run(kind="month", start=OCTOBER, trigger="beat")
    queued = ledger_runs.queue_ready(run.pk)
    LedgerRun.objects.filter(pk=run.pk).update(progress_at=timezone.now() - 5 * MINUTES)
    LedgerRunUnit.objects.filter(pk__in=queued).update(queued_at=timezone.now() - 5 * MINUTES)
    assert sweep(alive=set(), queue_empty=False).resent == []  # the queue still holds messages: wait
    swept = sweep(alive=set(), queue_empty=True)  # a pass a few seconds later, with the queue empty
    assert sorted(swept.resent) == sorted(queued)


def test_a_unit_that_keeps_killing_its_worker_fails_with_the_reason_and_resume_builds_it(district, settings):
    run, _opened = start_run(kind="month", start=OCTOBER, trigger="beat")
    ready = ledger_runs.queue_ready(run.pk)
    poison = ready.pop(0)
    now = timezone.now()
    for attempt in range(settings.JOBS["attempts"]):
        ledger_runs.claim(poison, f"killed-{attempt}")
        now += 2 * MINUTES
        swept = sweep(alive=set(), queue_empty=False, now=now)
    assert swept.failed == [poison]
    run = _drain(run, [*ready, *swept.to_send])
    assert (run.status, run.scopes_built) == ("partial", 6)
    unit = LedgerRunUnit.objects.get(pk=poison)
    assert "中断3次" in unit.error
    assert "1个范围没有生成" in run.reason and "续跑" in run.reason
    assert run.failures[0]["name"] == ledger_runs.label(unit.key)

    resumed, again = ledger_runs.resume(run.pk)
    assert again == [poison]  # only what is missing
    run = _drain(resumed, again)
    assert (run.status, run.scopes_built, run.resumed) == ("done", 7, 1)


def test_a_scope_that_cannot_be_built_is_named_and_the_others_are_built(district, monkeypatch):
    broken = district["communities"][0]
    real = ledger_runs.build

    def build(unit):
        if unit.key == f"community:{broken.pk}":
            raise ValueError("工作簿写入失败")
        return real(unit)

    monkeypatch.setattr(ledger_runs, "build", build)
    run, _opened = start_run(kind="month", start=OCTOBER, trigger="admin")
    run = _drain(run, ledger_runs.queue_ready(run.pk))
    assert (run.status, run.scopes_built) == ("partial", 6)
    assert broken.name in run.reason and "工作簿写入失败" in run.reason


def test_a_database_blip_in_a_unit_is_retried_by_its_task(district, monkeypatch):
    real, calls = ledger_runs.build, []

    def blip_once(unit):
        calls.append(unit.key)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(unit)

    monkeypatch.setattr(ledger_runs, "build", blip_once)
    run, _opened = start_run(kind="month", start=OCTOBER, trigger="admin")
    first, *others = ledger_runs.queue_ready(run.pk)
    result = tasks.build_ledger_unit.apply(args=[first], throw=False)  # eager: the retry runs at once
    assert result.state == "SUCCESS"
    assert calls == [calls[0], calls[0]]  # the same unit, taken back by its own retry
    unit = LedgerRunUnit.objects.get(pk=first)
    assert (unit.status, unit.attempts) == ("done", 2)
    run = _drain(run, others)
    assert (run.status, run.scopes_built) == ("done", 7)


def test_resume_is_refused_while_another_run_of_the_month_is_in_progress(district):
    run, _opened = start_run(kind="month", start=OCTOBER, trigger="admin", keys=[])
    ledger_runs.close_if_finished(run.pk)
    LedgerRun.objects.filter(pk=run.pk).update(status="failed")
    start_run(kind="month", start=OCTOBER, trigger="admin")
    with pytest.raises(ValidationError):
        ledger_runs.resume(run.pk)


def test_the_sweeper_fails_what_is_left_of_a_run_older_than_its_deadline(district, settings):
    run, _opened = start_run(kind="month", start=OCTOBER, trigger="admin")
    ledger_runs.queue_ready(run.pk)
    later = timezone.now() + datetime.timedelta(hours=settings.JOBS["run_hours"], minutes=1)
    swept = sweep(alive=set(), queue_empty=False, now=later)
    run.refresh_from_db()
    assert len(swept.failed) == 7 and run.status == "failed" and run.finished_at is not None
    assert "小时仍未完成" in run.reason


# --- no month left behind -----------------------------------------------------------------------


def test_the_daily_check_builds_only_what_a_closed_month_is_missing(district, monkeypatch):
    monkeypatch.setattr(tasks.timezone, "localdate", lambda: datetime.date(2026, 11, 20))
    assert tasks.check_closed_months() == ["2026-10"]  # nothing was ever built: last month
    assert LedgerReport.objects.filter(period_start=OCTOBER).count() == 7
    CommunityFactory(street=district["streets"][0])  # a community added since
    assert tasks.check_closed_months() == ["2026-10"]
    latest = LedgerRun.objects.order_by("-pk").first()
    assert (latest.trigger, latest.scopes_expected, latest.status) == ("check", 1, "done")
    assert tasks.check_closed_months() == []  # complete: nothing to do


def test_the_daily_check_looks_back_to_the_first_month_with_ledgers(district, monkeypatch):
    monkeypatch.setattr(tasks.timezone, "localdate", lambda: datetime.date(2026, 11, 20))
    ledger_runs.build_month(month=datetime.date(2026, 7, 1), trigger="command")
    assert tasks.check_closed_months() == ["2026-10", "2026-09", "2026-08"]  # the beat missed three months


def test_a_failed_month_is_on_the_bureaus_home_page_with_its_reason_and_a_resume_link(
    district, client, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(ledger_runs.timezone, "localdate", lambda: datetime.date(2026, 11, 20))
    broken = district["communities"][0]
    real = ledger_runs.build
    monkeypatch.setattr(
        ledger_runs,
        "build",
        lambda unit: (_ for _ in ()).throw(OSError("磁盘已满")) if unit.key == f"community:{broken.pk}" else real(unit),
    )
    run = ledger_runs.build_month(month=OCTOBER, trigger="beat")
    client.force_login(make_user(Role.BUREAU))
    page = client.get("/admin/").content.decode()
    assert "台账生成需要处理" in page and "2026年10月" in page and "磁盘已满" in page
    assert "/admin/portal/ledgerrun/build/?month=2026-10" in page
    runs_page = client.get("/admin/portal/ledgerrun/").content.decode()
    assert "磁盘已满" in runs_page

    monkeypatch.setattr(ledger_runs, "build", real)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/portal/ledgerrun/build/", {"month": "2026-10"}, follow=True)
    assert "已开始续跑" in response.content.decode()
    run.refresh_from_db()
    assert (run.status, run.scopes_built, run.resumed) == ("done", 7, 1)
    assert "台账生成需要处理" not in client.get("/admin/").content.decode()


def test_a_month_with_no_ledgers_is_on_the_bureaus_home_page(district, client, monkeypatch):
    monkeypatch.setattr(ledger_runs.timezone, "localdate", lambda: datetime.date(2026, 11, 20))
    client.force_login(make_user(Role.BUREAU))
    page = client.get("/admin/").content.decode()
    assert "有7个范围没有台账" in page


def test_a_double_click_on_build_does_not_start_a_second_run(district, client):
    client.force_login(make_user(Role.BUREAU))
    run, _opened = start_run(kind="month", start=OCTOBER, trigger="admin")
    response = client.post("/admin/portal/ledgerrun/build/", {"month": "2026-10"}, follow=True)
    assert "正在生成（已完成0/7），不会重复生成" in response.content.decode()
    assert LedgerRun.objects.count() == 1


def test_the_runs_resume_action_builds_only_the_failed_scopes(district, client, django_capture_on_commit_callbacks):
    run, _opened = start_run(kind="month", start=OCTOBER, trigger="admin")
    ledger_runs.queue_ready(run.pk)
    first = _units(run)[0]
    LedgerRunUnit.objects.exclude(pk=first.pk).filter(run=run).update(status="done")
    LedgerRunUnit.objects.filter(pk=first.pk).update(status="failed", error="RuntimeError: boom")
    ledger_runs.close_if_finished(run.pk)
    client.force_login(make_user(Role.BUREAU))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/portal/ledgerrun/", {"action": "resume_runs", "_selected_action": [run.pk]}, follow=True
        )
    assert "已开始续跑1个生成批次" in response.content.decode()
    run.refresh_from_db()
    assert run.status == "done" and LedgerReport.objects.count() == 1  # only the failed one was built


def test_a_rebuild_queued_before_the_ledger_was_built_does_nothing(db):
    """The demo (or a retry) queues the rebuild of an accepted month, then the month's ledgers are built from
    the same records: the job, when a worker takes it, opens no run a clerk's 生成台账 would have to join."""
    from accounts.models import Role
    from approvals.services import act, approval_for
    from core.dates import month_start, months_back
    from portal.ledger_runs import build_month
    from portal.models import CompletenessRule, LedgerRun
    from portal.tasks import rebuild_accepted_month
    from tests.conftest import make_user
    from tests.factories import CommunityFactory

    CompletenessRule.objects.update(is_active=False)
    community = CommunityFactory()
    month = months_back(month_start(timezone.localdate()), 1)
    approval = approval_for(community, month)
    act(approval=approval, action="submit", by=make_user(Role.COMMUNITY, community=community))
    act(approval=approval, action="approve", by=make_user(Role.STREET, street=community.street))
    act(approval=approval, action="accept", by=make_user(Role.BUREAU))  # its rebuild: no ledger yet
    build_month(month=month, trigger=LedgerRun.Trigger.COMMAND)
    runs = LedgerRun.objects.count()
    assert rebuild_accepted_month(community.pk, month.isoformat()) is None
    assert LedgerRun.objects.count() == runs
