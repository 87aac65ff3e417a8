"""Celery tasks of the portal. Tasks take ids, call a selector or service, and are idempotent.

Ledgers: the beat calls ``build_last_months_ledgers`` on the 1st at 02:00 (Asia/Shanghai); it opens a
run and fans out one task per community (a chord), whose callback builds the street and district
roll-ups and closes the run. Rebuilding a month replaces its reports; it never duplicates them.
"""

import datetime
import logging

from celery import chord, shared_task
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from activities.selectors import week_start
from cadres.models import Cadre
from portal.ledgers import (
    Unit,
    build_ledger,
    build_year,
    community_units,
    finish_run,
    last_month,
    open_run,
    record_failure,
    rollup_units,
)
from portal.models import LedgerRun
from portal.reminders import build_reminders

logger = logging.getLogger(__name__)
DATABASE_ERRORS = (OperationalError, InterfaceError)
# a worker killed mid-task leaves the message unacknowledged: another worker picks it up
RELIABLE = {"acks_late": True, "reject_on_worker_lost": True}
MAX_RETRIES = 5


@shared_task
def count_living_cadres(community_id: int) -> int:
    """How many living cadres a community has (a health check of the worker and its database)."""
    return Cadre.objects.living().filter(community_id=community_id).count()


def _build(task, *, run_id: int, key: str, month_iso: str):
    """Build one scope's ledger; database errors are retried with backoff, anything else is recorded on the run."""
    try:
        build_ledger(unit=Unit.from_key(key), month=datetime.date.fromisoformat(month_iso),
                     run=LedgerRun.objects.get(pk=run_id))  # fmt: skip
    except DATABASE_ERRORS as error:
        if task.request.retries < MAX_RETRIES:
            raise task.retry(exc=error, countdown=2**task.request.retries * 5) from error
        record_failure(run_id, key, error)
    except Exception as error:  # noqa: BLE001 - the other scopes still get their ledgers
        logger.exception("ledger of %s for %s failed", key, month_iso)
        record_failure(run_id, key, error)
    return key


@shared_task(bind=True, max_retries=MAX_RETRIES, **RELIABLE)
def build_community_ledger(self, run_id: int, key: str, month_iso: str) -> str:
    """One community's ledger for a month (idempotent: a rebuild replaces the report)."""
    return _build(self, run_id=run_id, key=key, month_iso=month_iso)


@shared_task(bind=True, max_retries=MAX_RETRIES, **RELIABLE)
def build_rollup_ledgers(self, _results, run_id: int, month_iso: str) -> dict:
    """After every community: the streets' and the district's ledgers, then the run is closed."""
    for unit in rollup_units():
        _build(self, run_id=run_id, key=unit.key, month_iso=month_iso)
    run = finish_run(run_id)
    return {"run": run.pk, "built": run.scopes_built, "failures": len(run.failures)}


@shared_task(**RELIABLE)
def build_month_ledgers(month_iso: str, trigger: str = LedgerRun.Trigger.BEAT, user_id: int | None = None) -> int:
    """Open a run for a month and fan out: one task per community, then the roll-ups (a chord)."""
    communities = community_units()
    run = open_run(kind="month", start=datetime.date.fromisoformat(month_iso), trigger=trigger, by_id=user_id,
                   expected=len(communities) + len(rollup_units()))  # fmt: skip
    header = [build_community_ledger.s(run.pk, unit.key, month_iso) for unit in communities]
    chord(header)(build_rollup_ledgers.s(run.pk, month_iso))
    return run.pk


@shared_task(bind=True, max_retries=MAX_RETRIES, **RELIABLE)
def build_last_months_ledgers(self) -> int | None:
    """The beat's entry point (1st of the month, 02:00): last month's ledgers, once however many beats fire.

    A database blip at 02:00 is retried with backoff; whatever the failure, the month's lock is released,
    so a retry (or the next start) is not turned away by a lock nobody holds any more.
    """
    month = last_month(timezone.localdate())
    lock = f"ledgers:beat:{month:%Y-%m}"
    # guard against a second beat process: only the first to take the month's lock starts the run
    if not cache.add(lock, timezone.now().isoformat(), timeout=6 * 3600):
        logger.warning("ledgers for %s are already being built by another beat; skipping", month)
        return None
    try:
        return build_month_ledgers(f"{month:%Y-%m-%d}", LedgerRun.Trigger.BEAT)
    except Exception as error:
        cache.delete(lock)
        if isinstance(error, DATABASE_ERRORS) and self.request.retries < MAX_RETRIES:
            raise self.retry(exc=error, countdown=60 * 2**self.request.retries) from error
        raise


@shared_task(**RELIABLE)
def build_last_years_summaries() -> int:
    """The beat's entry point on 1 January: last year's summaries (年报) for the district, streets, communities."""
    return build_year(year=timezone.localdate().year - 1, trigger=LedgerRun.Trigger.BEAT).pk


@shared_task(**RELIABLE)
def build_weekly_reminders() -> int:
    """Every Monday: each community's overdue visits and the coming week's milestone birthdays."""
    return build_reminders(week_start=week_start(timezone.localdate()))
