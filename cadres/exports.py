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
from communities.models import Community
from core.spreadsheets import write_table

COMMUNITIES_PER_BATCH = 100


def roster_rows(queryset, *, user=None) -> Iterator[list]:
    """The roster template's cells of every cadre of ``queryset``, community by community."""
    resource = CadreResource(user=user)
    fields = resource.get_export_fields()
    community_ids = list(
        queryset.order_by().values_list("community_id", flat=True).distinct()
    )  # one id per community: thousands at most, whatever the number of cadres
    codes = dict(Community.objects.filter(pk__in=community_ids).values_list("pk", "code"))
    community_ids.sort(key=lambda pk: codes.get(pk, ""))
    for start in range(0, len(community_ids), COMMUNITIES_PER_BATCH):
        batch = queryset.filter(community_id__in=community_ids[start : start + COMMUNITIES_PER_BATCH])
        for cadre in batch.select_related("community").order_by("community__code", "name", "pk"):
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
