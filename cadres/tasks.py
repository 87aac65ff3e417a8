"""Roster jobs: check a file, then apply it. Each takes the import's id and can run twice.

Every import ends 已导入, 有错误 or 失败 with a reason a clerk can act on. A job records the task that
holds it; the sweeper (``sweep_imports``, every minute) sends an import whose worker died again, and
after JOBS["attempts"] tries ends it 失败 with its file kept, so the clerk can 重试 or 放弃 it.
"""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import KombuError

from cadres.models import RosterImport
from cadres.roster import InvalidRosterError, apply_roster, check_roster
from communities.models import AuditEvent
from core.audit import record_event
from core.jobs import DATABASE_ERRORS, RELIABLE
from core.scope import scope_of

ERRORS_KEPT = 20_000  # a file this bad is not worth listing further
FAILED_REASON = _("系统处理这个文件时出错，没有导入任何内容。请重新上传；如再次失败，请联系系统管理员。")
STALE_REASON = _("上传后超过24小时未确认导入，文件已按规定删除，没有导入任何内容。请重新上传。")
DEAD_REASON = _("处理过程中系统进程中断了%(count)d次，没有导入任何内容。文件已保留：可以点“重试”，或点“放弃”删除文件。")
OUTAGE_REASON = _("处理时数据库暂时不可用，没有导入任何内容。文件已保留：可以点“重试”，或点“放弃”删除文件。")
OUTAGE_RETRIES = 4  # a database out of reach is tried again (5 s, 10 s, 20 s, 40 s) before the import fails
logger = logging.getLogger(__name__)


def _progress(roster_import):
    def report(rows):
        RosterImport.objects.filter(pk=roster_import.pk).update(progress=rows)

    return report


def _check(roster_import):
    with roster_import.file.open("rb") as source:
        return check_roster(
            source,
            scope=scope_of(roster_import.created_by),
            progress=_progress(roster_import),
            create_units=roster_import.create_units,
        )


def _keep_counts(roster_import, check):
    roster_import.rows = roster_import.progress = check.rows
    roster_import.new, roster_import.updated, roster_import.unchanged = check.new, check.updated, check.unchanged
    roster_import.errors = [[e.row, e.column, e.message] for e in check.errors[:ERRORS_KEPT]]
    roster_import.changes = [[c.row, c.name, c.new, [list(column) for column in c.columns]] for c in check.changes]


def _fail(import_id: int, error: Exception) -> str:
    """End an import as 失败 with a reason a clerk can act on.

    A database outage is the system's fault, not the file's: the file is kept for 重试. Anything else
    (a file the checker cannot read) deletes it (personal data): the clerk uploads a corrected one.
    """
    logger.exception("roster import %s failed", import_id, exc_info=error)
    roster_import = RosterImport.objects.get(pk=import_id)
    if isinstance(error, DATABASE_ERRORS):
        return end_failed(roster_import, str(OUTAGE_REASON), keep_file=True)
    return end_failed(roster_import, str(FAILED_REASON), keep_file=False)


def end_failed(roster_import: RosterImport, reason: str, *, keep_file: bool) -> str:
    """失败, with the reason; a kept file lets the clerk retry from where it stopped (checking or importing)."""
    retry_as = roster_import.status if keep_file and roster_import.is_running else ""
    roster_import.status = RosterImport.Status.FAILED
    roster_import.errors = [[0, "", reason]]
    roster_import.finished_at = timezone.now()
    roster_import.retry_as = retry_as
    roster_import.task_id = ""
    if not retry_as:
        roster_import.file.delete(save=False)
    roster_import.save()
    return roster_import.status


def _hold(task, import_id: int, status: str) -> bool:
    """Record the task that now holds the import (the sweeper asks the workers about it)."""
    held = RosterImport.objects.filter(pk=import_id, status=status).update(
        task_id=task.request.id or "", started_at=timezone.now(), attempts=F("attempts") + 1
    )
    return bool(held)


@shared_task(bind=True, **RELIABLE)
def check_roster_import(self, import_id: int) -> str:
    """Check an uploaded roster and keep its counts or its errors for the preview."""
    if not _hold(self, import_id, RosterImport.Status.CHECKING):
        return RosterImport.objects.get(pk=import_id).status
    roster_import = RosterImport.objects.select_related("created_by").get(pk=import_id)
    try:
        check = _check(roster_import)
    except DATABASE_ERRORS as error:
        if self.request.retries < OUTAGE_RETRIES and not self.request.is_eager:  # a blip: try again later, not 失败
            raise self.retry(exc=error, countdown=min(5 * 2**self.request.retries, 120)) from error
        return _fail(import_id, error)
    except Exception as error:  # noqa: BLE001 - whatever broke, the import ends and says so
        return _fail(import_id, error)
    _keep_counts(roster_import, check)
    roster_import.status = RosterImport.Status.CHECKED if check.is_valid else RosterImport.Status.INVALID
    if not check.is_valid:
        roster_import.finished_at = timezone.now()
        roster_import.file.delete(save=False)  # personal data: the clerk will upload a corrected file
    roster_import.save()
    return roster_import.status


@shared_task(bind=True, **RELIABLE)
def apply_roster_import(self, import_id: int) -> str:
    """Check the file once more (the roster may have changed since) and apply it in one transaction."""
    _hold(self, import_id, RosterImport.Status.IMPORTING)  # outside the transaction: the sweeper sees it
    failed_with = None
    with transaction.atomic():
        # the row lock makes a second run (a retry, a double click) wait, then see DONE and stop
        roster_import = RosterImport.objects.select_for_update().select_related("created_by").get(pk=import_id)
        if roster_import.status != RosterImport.Status.IMPORTING:
            return roster_import.status
        try:
            with roster_import.file.open("rb") as source:
                # the whole file again, now writing: the roster may have changed since the preview
                check = apply_roster(
                    source,
                    scope=scope_of(roster_import.created_by),
                    by=roster_import.created_by,
                    progress=_progress(roster_import),
                    create_units=roster_import.create_units,
                )
        except InvalidRosterError as invalid:
            _keep_counts(roster_import, invalid.check)
            roster_import.status = RosterImport.Status.INVALID
        except Exception as error:  # noqa: BLE001 - nothing was written (one transaction); the import says so
            transaction.set_rollback(True)
            failed_with = error
        else:
            _keep_counts(roster_import, check)
            roster_import.status = RosterImport.Status.DONE
            record_event(
                kind=AuditEvent.Kind.IMPORT,
                user=roster_import.created_by,
                rows=check.rows,
                file=roster_import.file_name,
                **{key: value for key, value in check.counts.items() if key != "rows"},
            )
        if failed_with is None:
            roster_import.finished_at = timezone.now()
            roster_import.save()
    if failed_with is not None:
        if (
            isinstance(failed_with, DATABASE_ERRORS)
            and self.request.retries < OUTAGE_RETRIES
            and not self.request.is_eager
        ):
            raise self.retry(exc=failed_with, countdown=min(5 * 2**self.request.retries, 120)) from failed_with
        return _fail(import_id, failed_with)
    roster_import.file.delete(save=True)  # personal data is not kept once it is in the roster
    return roster_import.status


ROSTER_KEPT_HOURS = 24  # an uploaded roster waiting for its confirmation is personal data on disk


def send(roster_import: RosterImport) -> None:
    """Queue the import's job for its status (after the caller's transaction commits)."""
    task = check_roster_import if roster_import.status == RosterImport.Status.CHECKING else apply_roster_import
    pk = roster_import.pk

    def deliver():
        try:
            task.delay(pk)
        except (KombuError, ConnectionError, TimeoutError):  # the broker is down: the sweeper sends it later
            logger.warning("could not send roster import %s; the sweeper will send it again", pk, exc_info=True)

    transaction.on_commit(deliver)


def queue(roster_import: RosterImport, status: str) -> None:
    """Put the import (back) in a running status and send its job: upload, confirm, retry."""
    roster_import.status, roster_import.progress = status, 0
    roster_import.task_id, roster_import.started_at, roster_import.queued_at = "", None, timezone.now()
    roster_import.finished_at, roster_import.retry_as, roster_import.errors = None, "", []
    roster_import.save()
    send(roster_import)


def retry(roster_import: RosterImport) -> bool:
    """重试 a failed import whose file was kept: it goes back to checking or importing."""
    if not roster_import.can_retry:
        return False
    roster_import.attempts = 0
    queue(roster_import, roster_import.retry_as)
    return True


def discard(roster_import: RosterImport) -> bool:
    """放弃 a failed import: its file is deleted; the record stays, 失败."""
    if roster_import.status != RosterImport.Status.FAILED or not roster_import.file:
        return False
    roster_import.retry_as = ""
    roster_import.file.delete(save=False)
    roster_import.save()
    return True


def sweep_imports(*, alive: set[str] | None, queue_empty: bool | None, now=None) -> dict:
    """Imports whose job is gone: sent again, or 失败 after JOBS["attempts"] tries (file kept for 重试).

    An import being applied holds its row lock for the whole transaction, so a locked row is alive; a
    dead worker's transaction was rolled back by PostgreSQL and its lock released.
    """
    now = now or timezone.now()
    grace = datetime.timedelta(seconds=settings.JOBS["grace_seconds"])
    stall = datetime.timedelta(seconds=settings.JOBS["stall_seconds"])
    limit = datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) + grace
    resent = failed = 0
    running = [RosterImport.Status.CHECKING, RosterImport.Status.IMPORTING]
    candidates = RosterImport.objects.filter(status__in=running).values_list("pk", flat=True)
    for pk in list(candidates):
        with transaction.atomic():
            roster_import = RosterImport.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if roster_import is None or not roster_import.is_running:
                continue  # being applied right now (or finished meanwhile)
            if roster_import.started_at is None:
                waited_since = roster_import.queued_at or roster_import.created_at
                if waited_since < now - stall and queue_empty is not False:
                    roster_import.queued_at = now  # its message was lost (a broker restart): send it again
                    roster_import.save(update_fields=["queued_at"])
                    send(roster_import)
                    resent += 1
                continue
            if roster_import.started_at >= now - grace:
                continue
            if alive is not None and roster_import.task_id in alive:
                continue
            if alive is None and roster_import.started_at >= now - limit:
                continue  # nobody to ask: only a job past its time limit is surely dead
            if roster_import.attempts >= settings.JOBS["attempts"]:
                end_failed(roster_import, str(DEAD_REASON % {"count": roster_import.attempts}), keep_file=True)
                failed += 1
            else:
                roster_import.task_id, roster_import.started_at, roster_import.queued_at = "", None, now
                roster_import.save(update_fields=["task_id", "started_at", "queued_at"])
                send(roster_import)
                resent += 1
    return {"imports_resent": resent, "imports_failed": failed}


@shared_task
def discard_stale_roster_imports() -> int:
    """Imports left unconfirmed (or stuck) for a day end as 失败 and their files are deleted."""
    cutoff = timezone.now() - timezone.timedelta(hours=ROSTER_KEPT_HOURS)
    stale = RosterImport.objects.filter(
        created_at__lt=cutoff,
        status__in=[RosterImport.Status.CHECKING, RosterImport.Status.CHECKED, RosterImport.Status.IMPORTING],
    )
    discarded = 0
    kept = RosterImport.objects.filter(status=RosterImport.Status.FAILED, finished_at__lt=cutoff).exclude(file="")
    for roster_import in kept:  # a file kept for 重试 is not kept for ever either
        discard(roster_import)
        discarded += 1
    for roster_import in stale:
        roster_import.status = RosterImport.Status.FAILED
        roster_import.errors = [[0, "", str(STALE_REASON)]]
        roster_import.finished_at = timezone.now()
        roster_import.file.delete(save=False)
        roster_import.save()
        discarded += 1
    return discarded
