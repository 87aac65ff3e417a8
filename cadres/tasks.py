"""Roster jobs: check a file, then apply it. Each takes the import's id and can run twice."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from cadres.models import RosterImport
from cadres.roster import InvalidRosterError, apply_roster, check_roster
from communities.audit import record_event
from communities.models import AuditEvent
from communities.scope import scope_of

ERRORS_KEPT = 20_000  # a file this bad is not worth listing further


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


@shared_task
def check_roster_import(import_id: int) -> str:
    """Check an uploaded roster and keep its counts or its errors for the preview."""
    roster_import = RosterImport.objects.select_related("created_by").get(pk=import_id)
    if roster_import.status != RosterImport.Status.CHECKING:
        return roster_import.status
    check = _check(roster_import)
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
        roster_import.finished_at = timezone.now()
        roster_import.save()
    roster_import.file.delete(save=True)  # personal data is not kept once it is in the roster
    return roster_import.status
