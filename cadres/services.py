"""Writes of the cadres app: visits and care cases."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.lock import assert_month_open, assert_record_open
from cadres.models import Cadre, CareCase, Visit, VisitCampaign

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def open_care_case_of(cadre: Cadre, *, on: datetime.date) -> CareCase | None:
    """The cadre's care case open on ``on``, if any: a visit that day counts for it."""
    return CareCase.objects.filter(cadre=cadre, closed_on__isnull=True, opened_on__lte=on).first()


@transaction.atomic
def record_visit(
    *,
    cadre: Cadre,
    visited_on: datetime.date,
    visitors: str,
    kind: str = Visit.Kind.ROUTINE,
    summary: str = "",
    campaign: VisitCampaign | None = None,
    by: User | None = None,
) -> Visit:
    """Record a visit to a cadre; it counts for the cadre's open care case, if there is one."""
    if cadre.deceased_on is not None and visited_on > cadre.deceased_on:
        raise ValidationError(_("该同志已去世，不能登记此后的走访。"), code="deceased")
    if visited_on > timezone.localdate():
        raise ValidationError(_("走访日期不能晚于今天。"), code="future")
    assert_month_open(cadre.community_id, visited_on)
    care_case = open_care_case_of(cadre, on=visited_on)
    visit = Visit(
        cadre=cadre,
        care_case=care_case,
        campaign=campaign,
        kind=kind,
        visited_on=visited_on,
        visitors=visitors.strip(),
        summary=summary.strip(),
        recorded_by=by,
    )
    visit.full_clean()
    visit.save()
    return visit


@transaction.atomic
def change_visit(*, visit: Visit) -> Visit:
    """Save a corrected visit: refused when its month, as stored or as changed, is frozen."""
    if visit.visited_on > timezone.localdate():
        raise ValidationError(_("走访日期不能晚于今天。"), code="future")
    assert_record_open(visit)
    if visit.care_case is None or visit.care_case.cadre_id != visit.cadre_id:
        visit.care_case = open_care_case_of(visit.cadre, on=visit.visited_on)
    visit.full_clean()
    visit.save()
    return visit
