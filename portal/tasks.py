"""Celery tasks of the portal. Tasks take ids, call a selector or service, and are idempotent.

Ledgers: a run is planned as units (one per community, street and the district, ``portal.ledger_runs``);
each unit is a task of its own, claimed by one task id, retried on database errors; a roll-up is sent
when the units under it have finished, so more workers make a run faster. ``sweep_jobs`` (every minute)
re-sends the units and imports of dead workers and lost messages, and closes what is finished;
``check_closed_months`` (daily) builds whatever a closed month is missing. A message can arrive twice
(acks late, re-delivery after a lost worker, the sweeper's re-send): the claim makes the copy a no-op.
"""

import datetime
import logging

from celery import current_app, shared_task
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from kombu.exceptions import KombuError

from approvals.models import ApprovalStep, MonthChange
from approvals.rules import last_closed_month
from cadres.models import Cadre
from cadres.tasks import sweep_imports
from core import files
from core.dates import week_start
from core.jobs import DATABASE_ERRORS, RELIABLE
from portal import ledger_runs
from portal.ledger_runs import INLINE
from portal.models import LedgerReport, LedgerRun
from portal.reminders import build_reminders

logger = logging.getLogger(__name__)
MAX_RETRIES = 5
BROKER_ERRORS = (KombuError, ConnectionError, TimeoutError)


@shared_task
def count_living_cadres(community_id: int) -> int:
    """How many living cadres a community has (a health check of the worker and its database)."""
    return Cadre.objects.living().filter(community_id=community_id).count()


def send_units(unit_ids: list[int]) -> None:
    """Send each ready unit as a task; with the broker out of reach they stay queued for the sweeper."""
    for unit_id in unit_ids:
        try:
            build_ledger_unit.delay(unit_id)
        except BROKER_ERRORS:  # the sweeper re-sends queued units whose messages never left
            logger.warning("could not send ledger unit %s; the sweeper will send it again", unit_id, exc_info=True)
            return


@shared_task(
    bind=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=settings.LEDGER_UNIT_TIME_LIMIT - 30,
    time_limit=settings.LEDGER_UNIT_TIME_LIMIT,
    **RELIABLE,
)
def build_ledger_unit(self, unit_id: int) -> int:
    """One scope's ledger (a community's, a street's, the district's); a copy of the message does nothing."""
    try:
        ready = ledger_runs.work_on(unit_id, self.request.id or INLINE)
    except DATABASE_ERRORS as error:
        # the unit stays held by this task id, which the retry carries: it takes the unit back
        raise self.retry(exc=error, countdown=min(2**self.request.retries * 5, 120)) from error
    send_units(ready)
    return len(ready)


# a database blip is retried with backoff (5 s, 10 s, 20 s … at most 10 minutes apart)
RETRIED = {
    **RELIABLE,
    "autoretry_for": DATABASE_ERRORS,
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "max_retries": MAX_RETRIES,
}


def start_month(month_iso: str, trigger: str, user_id: int | None = None) -> int:
    """Open a run for a month (or join the one in progress) and send its communities."""
    run, opened = ledger_runs.start_run(
        kind="month", start=datetime.date.fromisoformat(month_iso), trigger=trigger, by_id=user_id
    )
    if opened:
        send_units(ledger_runs.queue_ready(run.pk))
    return run.pk


@shared_task(**RETRIED)
def build_month_ledgers(month_iso: str, trigger: str = LedgerRun.Trigger.BEAT, user_id: int | None = None) -> int:
    """生成台账: a month's ledgers for every community, street and the district."""
    return start_month(month_iso, trigger, user_id)


@shared_task(**RETRIED)
def resume_ledger_run(run_id: int) -> int:
    """续跑: build a failed or partial run's failed units again."""
    _run, ready = ledger_runs.resume(run_id)
    send_units(ready)
    return len(ready)


@shared_task(bind=True, max_retries=MAX_RETRIES, **RELIABLE)
def build_last_months_ledgers(self) -> int | None:
    """The beat's entry point (1st of the month, 02:00): last month's ledgers, once however many beats fire.

    A database blip at 02:00 is retried with backoff; whatever the failure, the month's lock is released,
    so a retry (or the next start) is not turned away by a lock nobody holds any more. Should every retry
    fail, the daily check (``check_closed_months``) builds the month the next night.
    """
    month = last_closed_month(timezone.localdate())
    lock = f"ledgers:beat:{month:%Y-%m}"
    # guard against a second beat process: only the first to take the month's lock starts the run
    if not cache.add(lock, timezone.now().isoformat(), timeout=6 * 3600):
        logger.warning("ledgers for %s are already being built by another beat; skipping", month)
        return None
    try:
        return start_month(f"{month:%Y-%m-%d}", LedgerRun.Trigger.BEAT)
    except Exception as error:
        cache.delete(lock)
        if isinstance(error, DATABASE_ERRORS) and self.request.retries < MAX_RETRIES:
            raise self.retry(exc=error, countdown=60 * 2**self.request.retries) from error
        raise


@shared_task(**RETRIED)
def build_last_years_summaries() -> int:
    """The beat's entry point on 1 January: last year's summaries (年报) for the district, streets, communities."""
    year = timezone.localdate().year - 1
    run, opened = ledger_runs.start_run(kind="year", start=datetime.date(year, 1, 1), trigger=LedgerRun.Trigger.BEAT)
    if opened:
        send_units(ledger_runs.queue_ready(run.pk))
    return run.pk


@shared_task(**RETRIED)
def check_closed_months() -> list[str]:
    """Daily: every closed month has a ledger for every community, street and the district; build the rest.

    A month whose run is still in progress is left to it; a month whose last run failed is tried again
    (its failure stays on the bureau's home page until a run completes it).
    """
    months = ledger_runs.closed_months(timezone.localdate())
    started = []
    for month, keys in ledger_runs.missing_units(months).items():
        run, opened = ledger_runs.start_run(kind="month", start=month, trigger=LedgerRun.Trigger.CHECK, keys=keys)
        if opened:
            send_units(ledger_runs.queue_ready(run.pk))
            started.append(f"{month:%Y-%m}")
            logger.warning("the daily check found %d ledgers missing for %s; building them", len(keys), month)
    return started


@shared_task(**RETRIED)
def rebuild_changed_months() -> list[str]:
    """Closed months whose records changed after their ledgers were built (a late sync, a correction): their
    communities' ledgers and the roll-ups above are built again, so the ledger follows its records. Idempotent:
    a month already being built is joined, and its marks stay until a run that started after them finishes."""
    started = []
    for month, keys in ledger_runs.changed_months().items():
        run, opened = ledger_runs.start_run(kind="month", start=month, trigger=LedgerRun.Trigger.CHANGED, keys=keys)
        if opened:
            send_units(ledger_runs.queue_ready(run.pk))
            started.append(f"{month:%Y-%m}")
    return started


@shared_task(**RETRIED)
def rebuild_accepted_month(community_id: int, month_iso: str) -> int | None:
    """After the district accepts a month: its ledger and the roll-ups above are built from the accepted records."""
    month = datetime.date.fromisoformat(month_iso)
    built_at = (
        LedgerReport.objects.filter(kind=LedgerReport.Kind.MONTH, period_start=month, community_id=community_id)
        .values_list("built_at", flat=True)
        .first()
    )
    if built_at is None:
        return None  # no ledger yet: the 1st's run (or the daily check) builds it from these same records
    accepted_at = (
        ApprovalStep.objects.filter(approval__community_id=community_id, approval__month=month, action="accept")
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    if (
        accepted_at is not None
        and built_at >= accepted_at
        and not MonthChange.objects.filter(community_id=community_id, month=month).exists()
    ):
        # the ledger was built after the acceptance from these same records (a job queued before a build,
        # e.g. by the demo, or retried): nothing to do, and no run that a clerk's 生成台账 would have to join
        return None
    keys = ledger_runs.changed_units([community_id])
    run, opened = ledger_runs.start_run(kind="month", start=month, trigger=LedgerRun.Trigger.ACCEPTED, keys=keys)
    if opened:
        send_units(ledger_runs.queue_ready(run.pk))
    else:  # a run of the month is in progress and may not hold this community: marked, the sweeper follows up
        MonthChange.objects.update_or_create(
            community_id=community_id, month=month, defaults={"changed_at": timezone.now()}
        )
    return run.pk


def _workers_tasks() -> set[str] | None:
    """Ids of the tasks the workers hold (running, prefetched, waiting for a retry); None if none answered."""
    if current_app.conf.task_always_eager:
        return None
    try:
        inspect = current_app.control.inspect(timeout=settings.JOBS["inspect_timeout"])
        answers = [inspect.active(), inspect.reserved(), inspect.scheduled()]
    except Exception:  # noqa: BLE001 - the broker is out of reach: fall back on the time limits
        logger.warning("could not ask the workers what they hold", exc_info=True)
        return None
    if not any(answers):
        return None
    held = set()
    for answer in answers:
        for tasks in (answer or {}).values():
            for task in tasks:
                held.add(task.get("id") or task.get("request", {}).get("id"))
    return held


def _queue_is_empty() -> bool | None:
    """Whether the broker's queue holds no message (so queued work whose run stalled lost its messages)."""
    if current_app.conf.task_always_eager:
        return None
    try:
        with current_app.connection_for_read() as connection:
            declared = connection.default_channel.queue_declare(queue=current_app.conf.task_default_queue, passive=True)
            return declared.message_count == 0
    except Exception:  # noqa: BLE001 - unknown: the sweeper re-sends (a copy is harmless)
        return None


@shared_task
def sweep_jobs() -> dict:
    """Every minute: dead workers' units and imports are sent again (or failed with the reason), lost
    messages re-sent, finished runs closed. Safe to run at any time, any number of times."""
    alive, queue_empty = _workers_tasks(), _queue_is_empty()
    swept = ledger_runs.sweep(alive=alive, queue_empty=queue_empty)
    send_units(swept.to_send)
    imports = sweep_imports(alive=alive, queue_empty=queue_empty)
    rebuilt = rebuild_changed_months()
    summary = {
        "rebuilt": len(rebuilt),
        "requeued": len(swept.requeued),
        "resent": len(swept.resent),
        "failed": len(swept.failed),
        "closed": len(swept.closed),
        **imports,
    }
    if any(summary.values()):
        logger.warning("sweeper: %s", summary)
    return summary


@shared_task(**RELIABLE)
def sweep_orphan_files() -> int:
    """Every hour: media files that a killed process left with no row naming them are deleted."""
    return files.sweep_orphan_files()


@shared_task(**RELIABLE)
def build_weekly_reminders() -> int:
    """Every Monday: each community's overdue visits and the coming week's milestone birthdays."""
    return build_reminders(week_start=week_start(timezone.localdate()))
