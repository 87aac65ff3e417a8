"""The month lock: every write of a month's records asks here, inside its own transaction.

From submission a community's month is read-only until a level above returns it (or, once accepted, unlocks
it). The check reads the month's approval row ``FOR SHARE`` on PostgreSQL, so it waits for a step being taken
on the month (which holds the row ``FOR UPDATE``) and a step waits for the writes that read the row before it:
an acceptance and a tap cannot both win. A write into a closed month that is still open marks the month's
ledger stale (``MonthChange``) in the same transaction, for the ledger jobs to rebuild.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from approvals.models import MonthApproval, MonthChange, State
from approvals.rules import FROZEN_STATES, LOCKED_STATES, is_closed
from core.dates import month_start


def month_state(community_id: int, month: datetime.date, *, for_share: bool = False) -> str:
    """The month's approval state (open when it has no row), read ``FOR SHARE`` on PostgreSQL when asked."""
    if for_share and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT state FROM {MonthApproval._meta.db_table} WHERE community_id = %s AND month = %s FOR SHARE",  # noqa: S608 - the table name is the model's own
                [community_id, month],
            )
            row = cursor.fetchone()
        return row[0] if row else State.OPEN
    state = MonthApproval.objects.filter(community_id=community_id, month=month).values_list("state", flat=True).first()
    return state or State.OPEN


def refusal_message(state: str, month: datetime.date) -> str:
    """Why a record of a frozen month is not written, and who can reopen it."""
    label = date_format(month, "YEAR_MONTH_FORMAT")
    if state in LOCKED_STATES:
        return _("%(month)s的台账已审定锁定，不能修改。如需更正，请联系区委老干部局解锁并说明原因。") % {"month": label}
    return _("%(month)s的台账已提交审核（%(state)s），不能修改。如需更正，请联系审核的上级退回。") % {
        "month": label,
        "state": State(state).label,
    }


def assert_month_open(community_id: int | None, day: datetime.date | None) -> None:
    """Refuse, saying why and who can help, a write to a record of a frozen month; mark a closed month changed.

    Must run inside the write's own transaction (the row lock lasts until it commits).
    """
    if community_id is None or day is None:
        return
    if not connection.in_atomic_block:
        raise RuntimeError("assert_month_open must run inside the write's own transaction (transaction.atomic)")
    month = month_start(day)
    closed = is_closed(month, timezone.localdate())
    if closed:
        # a row to lock: a submission of this closed month waits for the write, and the write for it
        MonthApproval.objects.bulk_create(
            [MonthApproval(community_id=community_id, month=month)], ignore_conflicts=True
        )
    state = month_state(community_id, month, for_share=True)
    if state in FROZEN_STATES:
        raise ValidationError(refusal_message(state, month), code="locked")
    if closed:
        MonthChange.objects.bulk_create(
            [MonthChange(community_id=community_id, month=month, changed_at=timezone.now())],
            update_conflicts=True,
            unique_fields=["community", "month"],
            update_fields=["changed_at"],
        )


def assert_record_open(record: Any) -> None:
    """``assert_month_open`` for a record as it would be saved and as it is stored (a move out of a frozen
    month is a change to it too). The record names its month by ``month_key()``."""
    keys = {record.month_key()}
    if record.pk is not None:
        stored = type(record)._default_manager.filter(pk=record.pk).first()
        if stored is not None:
            keys.add(stored.month_key())
    for community_id, day in sorted(keys, key=str):
        assert_month_open(community_id, day)


@transaction.atomic
def delete_record(record: Any) -> None:
    """Delete a record of a month (an admin's delete), refused in a frozen month."""
    assert_record_open(record)
    record.delete()
