"""Ledger runs: a period's ledgers as units of work that finish, or say why, whatever happens to a worker.

A run is planned as one unit per community, per street and for the district (``LedgerRunUnit``). A unit
is *queued*, then *claimed* by exactly one task (an atomic update keyed by the task's id), *built* and
marked done or failed. A roll-up (a street, the district) is queued once every unit under it has
finished, so streets build in parallel after their communities and the district last.

Nothing here talks to Celery: functions return the ids of units that are ready, and the caller sends
them (``portal.tasks``) or builds them in this process (``build_inline``, the command's path). The
sweeper (``sweep``) is what makes a run finish after a dead worker or a lost message: it re-queues the
units of dead tasks, re-sends queued units whose messages were lost, and fails what cannot be built,
with the reason. The progress count is a count of units done, so it never exceeds the total.
"""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import MonthChange
from approvals.rules import last_closed_month
from communities.models import Community, District, Street
from core.dates import previous_month
from core.jobs import DATABASE_ERRORS
from portal.ledgers import LedgerPlace, build_ledger, build_year_summary
from portal.models import LedgerReport, LedgerRun, LedgerRunUnit

logger = logging.getLogger(__name__)
QUEUED, RUNNING = LedgerRunUnit.Status.QUEUED, LedgerRunUnit.Status.RUNNING
DONE, FAILED, PENDING = LedgerRunUnit.Status.DONE, LedgerRunUnit.Status.FAILED, LedgerRunUnit.Status.PENDING
FINISHED = LedgerRunUnit.FINISHED
INLINE = "inline"  # the task id of a unit built in this process (the command, the tests)


def jobs_setting(name: str) -> int:
    return settings.JOBS[name]


# --- planning --------------------------------------------------------------------------------------


def plan(*, community_code: str | None = None) -> list[tuple[str, str]]:
    """(key, parent) of every unit: communities under their street, streets under their district, and the
    districts under the city when the installation holds more than one (else the district is the top)."""
    communities = Community.objects.order_by("code")
    if community_code:  # one community's ledger only: no roll-ups
        return [(LedgerPlace.of_community(c).key, "") for c in communities.filter(code=community_code)]
    districts = list(District.objects.order_by("code"))
    city = LedgerPlace.city().key if len(districts) > 1 else ""
    units = [(LedgerPlace.of_community(c).key, f"{LedgerReport.Level.STREET}:{c.street_id}") for c in communities]
    units += [
        (LedgerPlace.of_street(street).key, f"{LedgerReport.Level.DISTRICT}:{street.district_id}")
        for street in Street.objects.order_by("code")
    ]
    units += [(LedgerPlace.of_district(place).key, city) for place in districts]
    return [*units, (city, "")] if city else units


def start_run(
    *,
    kind: str,
    start: datetime.date,
    trigger: str,
    by_id: int | None = None,
    community_code: str | None = None,
    keys: Iterable[str] | None = None,
) -> tuple[LedgerRun, bool]:
    """Open a run of the period's units (or only ``keys``); a period already being built is joined instead.

    Returns (run, opened). At most one run per period is in progress (a partial unique constraint), so a
    double click on 生成台账 or a second beat cannot start a second build that counts the first's ledgers.
    """
    units = plan(community_code=community_code)
    if keys is not None:
        wanted = set(keys)
        units = [unit for unit in units if unit[0] in wanted]
    now = timezone.now()
    try:
        with transaction.atomic():
            run = LedgerRun.objects.create(
                kind=kind,
                period_start=start,
                trigger=trigger,
                triggered_by_id=by_id,
                scopes_expected=len(units),
                progress_at=now,
            )
            LedgerRunUnit.objects.bulk_create(LedgerRunUnit(run=run, key=key, parent=parent) for key, parent in units)
    except IntegrityError:
        running = LedgerRun.objects.filter(kind=kind, period_start=start, status=LedgerRun.Status.RUNNING).first()
        if running is None:
            raise
        return running, False
    return run, True


def queue_ready(run_id: int) -> list[int]:
    """Queue every waiting unit whose units below have all finished; the ids to send, each queued once."""
    unfinished_below = LedgerRunUnit.objects.filter(run_id=run_id).exclude(status__in=FINISHED).values("parent")
    ready = LedgerRunUnit.objects.filter(run_id=run_id, status=PENDING).exclude(key__in=unfinished_below)
    with transaction.atomic():
        ids = list(ready.select_for_update(skip_locked=True).values_list("pk", flat=True))
        LedgerRunUnit.objects.filter(pk__in=ids, status=PENDING).update(status=QUEUED, queued_at=timezone.now())
    return ids


# --- one unit --------------------------------------------------------------------------------------


def claim(unit_id: int, task_id: str) -> LedgerRunUnit | None:
    """Take a queued unit for this task (or take it back on the task's own retry); None if another holds it."""
    now = timezone.now()
    taken = (
        LedgerRunUnit.objects.filter(pk=unit_id, run__status=LedgerRun.Status.RUNNING)
        .filter(Q(status=QUEUED) | Q(status=RUNNING, task_id=task_id))
        .update(status=RUNNING, task_id=task_id, started_at=now, attempts=F("attempts") + 1)
    )
    if not taken:
        return None
    unit = LedgerRunUnit.objects.select_related("run").get(pk=unit_id)
    LedgerRun.objects.filter(pk=unit.run_id).update(progress_at=now)
    return unit


def build(unit: LedgerRunUnit) -> LedgerReport:
    """The unit's ledger: a month's 台账 or a year's 年报, replacing any earlier one of the same scope."""
    run, scope = unit.run, LedgerPlace.from_key(unit.key)
    if run.kind == "year":
        return build_year_summary(unit=scope, year=run.period_start.year, run=run)
    return build_ledger(unit=scope, month=run.period_start, run=run)


def work_on(unit_id: int, task_id: str) -> list[int]:
    """Claim, build and finish one unit; the ids of the units this made ready. Database errors propagate
    (the task retries them with backoff and takes the unit back by its id); any other error fails the unit."""
    unit = claim(unit_id, task_id)
    if unit is None:
        return []  # done already, or held by another copy of the message
    try:
        build(unit)
    except DATABASE_ERRORS:
        raise
    except Exception as error:  # noqa: BLE001 - one scope's failure is recorded; the others are built
        logger.exception("ledger %s of run %s failed", unit.key, unit.run_id)
        return finish(unit, error=f"{type(error).__name__}: {error}")
    return finish(unit)


def finish(unit: LedgerRunUnit, *, error: str = "") -> list[int]:
    """Mark the unit done (or failed), count the run's progress, queue what it unblocked, close the run."""
    LedgerRunUnit.objects.filter(pk=unit.pk, status=RUNNING, task_id=unit.task_id).update(
        status=FAILED if error else DONE, finished_at=timezone.now(), error=error[:300]
    )
    return advance(unit.run_id)


def advance(run_id: int, *, progressed: bool = True) -> list[int]:
    """Count progress, queue the units now ready and close the run when nothing is left.

    ``progressed`` is False for the sweeper's own pass: looking at a run is not progress, or a run whose
    messages were lost would never look stalled.
    """
    done = (
        LedgerRunUnit.objects.filter(run_id=OuterRef("pk"), status=DONE)
        .order_by()
        .values("run_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    counted: dict = {"scopes_built": Coalesce(Subquery(done), Value(0))}
    if progressed:
        counted["progress_at"] = timezone.now()
    LedgerRun.objects.filter(pk=run_id, status=LedgerRun.Status.RUNNING).update(**counted)
    ready = queue_ready(run_id)
    if not ready:
        close_if_finished(run_id)
    return ready


def close_if_finished(run_id: int) -> LedgerRun:
    """Close a run whose units have all finished: 完成, 部分失败 or 失败, with a reason a clerk can act on."""
    with transaction.atomic():
        run = LedgerRun.objects.select_for_update().get(pk=run_id)
        if run.status != LedgerRun.Status.RUNNING or run.units.exclude(status__in=FINISHED).exists():
            return run
        failed = list(run.units.filter(status=FAILED).order_by("key").values_list("key", "error"))
        run.scopes_built = run.units.filter(status=DONE).count()
        run.failures = [{"scope": key, "name": label(key), "error": error} for key, error in failed]
        if not failed:
            run.status, run.reason = LedgerRun.Status.DONE, ""
        else:
            run.status = LedgerRun.Status.PARTIAL if run.scopes_built else LedgerRun.Status.FAILED
            run.reason = _("%(count)d个范围没有生成（%(names)s）：%(error)s。可点“续跑”只补建这些范围。") % {
                "count": len(failed),
                "names": "、".join(label(key) for key, _error in failed[:3]) + ("等" if len(failed) > 3 else ""),
                "error": failed[0][1] or _("原因不明"),
            }
        run.finished_at = timezone.now()
        run.save(update_fields=["scopes_built", "failures", "status", "reason", "finished_at"])
        if run.kind == "month":
            _clear_changes(run)
    return run


def _clear_changes(run: LedgerRun) -> None:
    """The communities whose ledgers this run rebuilt, with every roll-up above them, are up to date with the
    changes made before the run started; a change made since stays marked for the next rebuild."""
    done = {key for key, status in run.units.values_list("key", "status") if status == DONE}
    communities = Community.objects.filter(
        pk__in=[int(key.partition(":")[2]) for key in done if key.startswith(f"{LedgerReport.Level.COMMUNITY}:")]
    ).select_related("street")
    # a community's change is taken in when its ledger and every roll-up above it were rebuilt by this run
    built = [community.pk for community in communities if set(changed_units([community.pk])) <= done]
    MonthChange.objects.filter(month=run.period_start, community_id__in=built, changed_at__lt=run.started_at).delete()


def changed_units(community_ids: Iterable[int]) -> list[str]:
    """The keys of the communities' ledgers and of every roll-up above them (their streets, districts, the city)."""
    communities = Community.objects.filter(pk__in=list(community_ids)).select_related("street")
    keys = []
    for community in communities:
        keys += [
            LedgerPlace.of_community(community).key,
            LedgerPlace.of_street(community.street).key,
            f"{LedgerReport.Level.DISTRICT}:{community.street.district_id}",
        ]
    if keys and District.objects.count() > 1:
        keys.append(LedgerPlace.city().key)
    return sorted(set(keys))


def changed_months(now: datetime.datetime | None = None) -> dict[datetime.date, list[str]]:
    """Closed months whose records changed since their ledgers were built: the keys to build again.

    Only months that have ledgers (the 1st's run builds the others whole), and not a month whose last rebuild
    failed less than half an hour ago (its failure is on the bureau's home page; the sweeper tries again later).
    """
    now = now or timezone.now()
    by_month: dict[datetime.date, set[int]] = {}
    for month, community_id in MonthChange.objects.values_list("month", "community_id"):
        by_month.setdefault(month, set()).add(community_id)
    built = set(
        LedgerReport.objects.filter(kind=LedgerReport.Kind.MONTH, period_start__in=list(by_month))
        .values_list("period_start", flat=True)
        .distinct()
    )
    failing = set(
        LedgerRun.objects.filter(
            kind="month",
            trigger=LedgerRun.Trigger.CHANGED,
            period_start__in=list(by_month),
            finished_at__gte=now - datetime.timedelta(minutes=30),
        )
        .exclude(status=LedgerRun.Status.DONE)
        .values_list("period_start", flat=True)
    )
    return {
        month: changed_units(ids) for month, ids in sorted(by_month.items()) if month in built and month not in failing
    }


def label(key: str) -> str:
    """A unit's place as a clerk reads it: 桃花山社区, 城关街道, 章丘区, 全市."""
    level, _sep, pk = key.partition(":")
    if level == LedgerReport.Level.COMMUNITY:
        return Community.objects.filter(pk=pk).values_list("name", flat=True).first() or key
    if level == LedgerReport.Level.STREET:
        return Street.objects.filter(pk=pk).values_list("name", flat=True).first() or key
    if level == LedgerReport.Level.DISTRICT:
        return District.objects.filter(pk=pk).values_list("name", flat=True).first() or key
    return _("全市")


# --- in this process (the command's path) ----------------------------------------------------------


def build_inline(run: LedgerRun) -> LedgerRun:
    """Build every unit of the run here, communities first, roll-ups after; the run is closed at the end."""
    ready = queue_ready(run.pk)
    while ready:
        ready += work_on(ready.pop(0), INLINE)  # a finished unit hands on the roll-ups it made ready
    return close_if_finished(run.pk)


def build_month(*, month: datetime.date, trigger: str, community_code: str | None = None) -> LedgerRun:
    """A month's ledgers built in this process (build_ledgers, seed_demo); joins a run in progress."""
    run, opened = start_run(kind="month", start=month, trigger=trigger, community_code=community_code)
    return build_inline(run) if opened else run


def build_year(*, year: int, trigger: str, community_code: str | None = None) -> LedgerRun:
    """A year's summaries (年报) built in this process."""
    run, opened = start_run(
        kind="year", start=datetime.date(year, 1, 1), trigger=trigger, community_code=community_code
    )
    return build_inline(run) if opened else run


def resume(run_id: int) -> tuple[LedgerRun, list[int]]:
    """续跑: a failed or partial run builds only its failed units again; the ids to send.

    Refused (ValidationError from the constraint) when another run of the same period is in progress.
    """
    with transaction.atomic():
        run = LedgerRun.objects.select_for_update().get(pk=run_id)
        if run.status == LedgerRun.Status.RUNNING:
            return run, []
        run.units.filter(status=FAILED).update(
            status=PENDING, attempts=0, error="", task_id="", started_at=None, queued_at=None, finished_at=None
        )
        run.status, run.reason, run.failures, run.finished_at = LedgerRun.Status.RUNNING, "", [], None
        run.resumed, run.progress_at = run.resumed + 1, timezone.now()
        run.validate_constraints()
        run.save()
    return run, queue_ready(run.pk)


# --- the sweeper -----------------------------------------------------------------------------------


@dataclass
class Sweep:
    """What one pass of the sweeper did (logged, returned by the task, counted by the drill)."""

    requeued: list[int] = field(default_factory=list)  # units of dead tasks, queued again
    resent: list[int] = field(default_factory=list)  # queued units whose messages were lost
    failed: list[int] = field(default_factory=list)  # units given up on, with the reason
    closed: list[int] = field(default_factory=list)  # runs closed by this pass

    @property
    def to_send(self) -> list[int]:
        return [*self.requeued, *self.resent]


def sweep(*, alive: set[str] | None, queue_empty: bool | None, now: datetime.datetime | None = None) -> Sweep:
    """Make every run in progress move: one pass, run by the beat every minute.

    ``alive`` is the ids of tasks the workers hold (active, reserved, scheduled) or None when no worker
    answered; ``queue_empty`` says whether the broker's queue is empty (None: unknown).
    - a unit held by a task no worker has (its worker died) is queued again, up to JOBS["attempts"] times,
      then failed with the reason;
    - queued units of a run with no progress for JOBS["stall_seconds"] while the queue is empty lost their
      messages (a broker restart): they are sent again;
    - a run older than JOBS["run_hours"] fails what is left; a run with nothing left is closed.
    """
    now = now or timezone.now()
    grace = datetime.timedelta(seconds=jobs_setting("grace_seconds"))
    stall = datetime.timedelta(seconds=jobs_setting("stall_seconds"))
    hard_limit = datetime.timedelta(seconds=settings.LEDGER_UNIT_TIME_LIMIT + jobs_setting("grace_seconds"))
    done = Sweep()
    for run in LedgerRun.objects.filter(status=LedgerRun.Status.RUNNING).order_by("pk"):
        if run.started_at < now - datetime.timedelta(hours=jobs_setting("run_hours")):
            reason = _("超过%(hours)d小时仍未完成，已停止。") % {"hours": jobs_setting("run_hours")}
            left = run.units.exclude(status__in=FINISHED)
            done.failed += list(left.values_list("pk", flat=True))
            left.update(status=FAILED, error=reason, finished_at=now)
        held = run.units.filter(status=RUNNING, started_at__lt=now - grace)
        for unit in held:
            if alive is not None and unit.task_id in alive:
                continue
            if alive is None and unit.started_at is not None and unit.started_at >= now - hard_limit:
                continue  # nobody to ask: only a unit past its time limit is surely dead
            holds = LedgerRunUnit.objects.filter(pk=unit.pk, status=RUNNING, task_id=unit.task_id)
            if unit.attempts >= jobs_setting("attempts"):
                reason = _("生成过程被中断%(count)d次（进程退出或超时），已停止尝试。") % {"count": unit.attempts}
                if holds.update(status=FAILED, error=reason, finished_at=now):
                    done.failed.append(unit.pk)
            elif holds.update(status=QUEUED, task_id="", queued_at=now):
                done.requeued.append(unit.pk)
        stalled = run.progress_at is None or run.progress_at < now - stall
        if stalled and queue_empty is not False:
            lost = run.units.filter(status=QUEUED, queued_at__lt=now - grace).exclude(pk__in=done.requeued)
            ids = list(lost.values_list("pk", flat=True))
            LedgerRunUnit.objects.filter(pk__in=ids).update(queued_at=now)
            done.resent += ids
        done.resent += advance(run.pk, progressed=False)
        if not LedgerRun.objects.filter(pk=run.pk, status=LedgerRun.Status.RUNNING).exists():
            done.closed.append(run.pk)
    return done


# --- no month left behind --------------------------------------------------------------------------


def _built_per_month(today: datetime.date) -> dict[datetime.date, int]:
    """How many month ledgers each of the last JOBS["check_months"] closed months has (one query)."""
    newest = last_closed_month(today)
    oldest = newest
    for _step in range(jobs_setting("check_months") - 1):
        oldest = previous_month(oldest)
    counts = (
        LedgerReport.objects.filter(kind=LedgerReport.Kind.MONTH, period_start__range=(oldest, newest))
        .values_list("period_start")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(counts)


def closed_months(today: datetime.date, built: dict[datetime.date, int] | None = None) -> list[datetime.date]:
    """The closed months the daily check looks after: last month, and back to the first month with a
    ledger (at most JOBS["check_months"]), newest first."""
    built = _built_per_month(today) if built is None else built
    newest = last_closed_month(today)
    first = min(built, default=newest)
    months, month = [newest], previous_month(newest)
    while month >= first and len(months) < jobs_setting("check_months"):
        months.append(month)
        month = previous_month(month)
    return months


def missing_units(months: list[datetime.date]) -> dict[datetime.date, list[str]]:
    """For each month, the keys of the scopes that have no ledger (one query for the reports)."""
    expected = [key for key, _parent in plan()]
    built: dict[datetime.date, set[str]] = {month: set() for month in months}
    reports = LedgerReport.objects.filter(kind=LedgerReport.Kind.MONTH, period_start__in=months)
    for start, level, district_id, street_id, community_id in reports.values_list(
        "period_start", "level", "district_id", "street_id", "community_id"
    ):
        built[start].add(f"{level}:{community_id or street_id or district_id or ''}")
    return {month: missing for month in months if (missing := [k for k in expected if k not in built[month]])}


def problems() -> list[dict]:
    """What the bureau must know about its ledgers: months whose last run failed, or that miss ledgers.

    Each is {month, run (or None), reason}; shown on the bureau's home page and the runs' admin page.
    A fixed handful of queries whatever the size of the district (counts, not scopes, are compared).
    """
    today = timezone.localdate()
    built = _built_per_month(today)
    months = closed_months(today, built)
    places = Street.objects.aggregate(streets=Count("pk", distinct=True), communities=Count("communities"))
    expected = places["streets"] + places["communities"] + 1  # every community has its street
    latest: dict[datetime.date, LedgerRun] = {}
    for each in LedgerRun.objects.filter(kind="month", period_start__in=months).order_by("started_at"):
        latest[each.period_start] = each
    found = []
    for month in months:
        run = latest.get(month)
        if run is not None and run.status == LedgerRun.Status.RUNNING:
            continue
        if run is not None and run.status in (LedgerRun.Status.FAILED, LedgerRun.Status.PARTIAL):
            found.append({"month": month, "run": run, "reason": run.reason})
        elif built.get(month, 0) < expected:
            missing = expected - built.get(month, 0)
            reason = _("有%(count)d个范围没有台账，每日核查将自动补建。") % {"count": missing}
            found.append({"month": month, "run": run, "reason": reason})
    return found
