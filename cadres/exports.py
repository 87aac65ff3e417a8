"""The roster export, streamed: any number of cadres in bounded memory, for the admin and the command.

Rows are read a batch of communities at a time (ordered as a clerk files them: community code, then
name), never through a server-side cursor, so it works the same behind PgBouncer in transaction mode;
each row is decrypted, masked for the reader (``CadreResource``) and written before the next batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from django.utils.translation import gettext as _

from cadres.resources import CadreResource
from cadres.selectors import roster_batches
from core.spreadsheets import write_table


def roster_rows(queryset, *, user=None) -> Iterator[list]:
    """The roster template's cells of every cadre of ``queryset``, community by community."""
    resource = CadreResource(user=user)
    fields = resource.get_export_fields()
    for batch in roster_batches(queryset):
        for cadre in batch.select_related("community", "former_unit"):
            yield [resource.export_field(field, cadre) for field in fields]


def roster_headers() -> list[str]:
    return [field.column_name for field in CadreResource().get_export_fields()]


def write_roster(target: BinaryIO, queryset, *, user=None, as_csv: bool = False) -> int:
    """The roster of ``queryset`` into ``target`` as .xlsx (or CSV); the number of cadres written."""
    return write_table(
        target,
        title=str(_("离退休干部名册")),
        headers=roster_headers(),
        rows=roster_rows(queryset, user=user),
        as_csv=as_csv,
    )
