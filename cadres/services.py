"""Writes of the cadres app: visits and care cases."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.models import CareCase, Visit


def open_care_case_of(cadre, *, on: datetime.date):
    """The cadre's care case open on ``on``, if any: a visit that day counts for it."""
    return CareCase.objects.filter(cadre=cadre, closed_on__isnull=True, opened_on__lte=on).first()


@transaction.atomic
def record_visit(
    *,
    cadre,
    visited_on: datetime.date,
    visitors: str,
    kind=Visit.Kind.ROUTINE,
    summary: str = "",
    campaign=None,
    by=None,
) -> Visit:
    """Record a visit to a cadre; it counts for the cadre's open care case, if there is one."""
    if cadre.deceased_on is not None and visited_on > cadre.deceased_on:
        raise ValidationError(_("该同志已去世，不能登记此后的走访。"), code="deceased")
    if visited_on > timezone.localdate():
        raise ValidationError(_("走访日期不能晚于今天。"), code="future")
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
