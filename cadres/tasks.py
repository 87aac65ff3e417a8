"""Roster jobs: check a file, then apply it. Each takes the import's id and can run twice."""

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.models import RosterImport
from cadres.roster import InvalidRosterError, apply_roster, check_roster
from communities.audit import record_event
from communities.models import AuditEvent
from communities.scope import scope_of

ERRORS_KEPT = 20_000  # a file this bad is not worth listing further
FAILED_REASON = _("系统处理这个文件时出错，没有导入任何内容。请重新上传；如再次失败，请联系系统管理员。")
STALE_REASON = _("上传后超过24小时未确认导入，文件已按规定删除，没有导入任何内容。请重新上传。")
logger = logging.getLogger(__name__)


def _progress(roster_import):
    def report(rows):
        RosterImport.objects.filter(pk=roster_import.pk).update(progress=rows)

    return report


def _check(roster_import):
    with roster_import.file.open("rb") as source:
        return check_roster(source, scope=scope_of(roster_import.created_by), progress=_progress(roster_import))


def _keep_counts(roster_import, check):
    roster_import.rows = roster_import.progress = check.rows
    roster_import.new, roster_import.updated, roster_import.unchanged = check.new, check.updated, check.unchanged
    roster_import.errors = [[e.row, e.column, e.message] for e in check.errors[:ERRORS_KEPT]]


def _fail(import_id: int, error: Exception) -> str:
    """End an import as 失败 with a reason a clerk can act on, and delete its file (personal data)."""
    logger.exception("roster import %s failed", import_id, exc_info=error)
    roster_import = RosterImport.objects.get(pk=import_id)
    roster_import.status = RosterImport.Status.FAILED
    roster_import.errors = [[0, "", str(FAILED_REASON)]]
    roster_import.finished_at = timezone.now()
    roster_import.file.delete(save=False)
    roster_import.save()
    return roster_import.status


@shared_task
def check_roster_import(import_id: int) -> str:
    """Check an uploaded roster and keep its counts or its errors for the preview."""
    roster_import = RosterImport.objects.select_related("created_by").get(pk=import_id)
    if roster_import.status != RosterImport.Status.CHECKING:
        return roster_import.status
    try:
        check = _check(roster_import)
    except Exception as error:  # noqa: BLE001 - whatever broke, the import ends and says so
        return _fail(import_id, error)
    _keep_counts(roster_import, check)
    roster_import.status = RosterImport.Status.CHECKED if check.is_valid else RosterImport.Status.INVALID
    if not check.is_valid:
        roster_import.finished_at = timezone.now()
        roster_import.file.delete(save=False)  # personal data: the clerk will upload a corrected file
    roster_import.save()
    return roster_import.status


@shared_task
def apply_roster_import(import_id: int) -> str:
    """Check the file once more (the roster may have changed since) and apply it in one transaction."""
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
        return _fail(import_id, failed_with)
    roster_import.file.delete(save=True)  # personal data is not kept once it is in the roster
    return roster_import.status


ROSTER_KEPT_HOURS = 24  # an uploaded roster waiting for its confirmation is personal data on disk


@shared_task
def discard_stale_roster_imports() -> int:
    """Imports left unconfirmed (or stuck) for a day end as 失败 and their files are deleted."""
    cutoff = timezone.now() - timezone.timedelta(hours=ROSTER_KEPT_HOURS)
    stale = RosterImport.objects.filter(
        created_at__lt=cutoff,
        status__in=[RosterImport.Status.CHECKING, RosterImport.Status.CHECKED, RosterImport.Status.IMPORTING],
    )
    discarded = 0
    for roster_import in stale:
        roster_import.status = RosterImport.Status.FAILED
        roster_import.errors = [[0, "", str(STALE_REASON)]]
        roster_import.finished_at = timezone.now()
        roster_import.file.delete(save=False)
        roster_import.save()
        discarded += 1
    return discarded
