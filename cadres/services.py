"""Writes of the cadres app: visits, care cases and the dated excuses of 送学上门."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.lock import assert_month_open, assert_record_open
from cadres.models import IN_PERSON_REASONS, Attendance, AttendanceExcuse, Cadre, CareCase, Visit, VisitCampaign
from core.dates import month_start

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


# --- 送学上门: who is not expected in the room, from when -----------------------------------------


def excuse_day_bounds(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The days a change of excuse may take effect: this month up to today. An earlier day would rewrite a
    month whose figures may already be reported (a month is submitted after it ends)."""
    today = today or timezone.localdate()
    return month_start(today), today


@transaction.atomic
def _set_excuse(
    *, cadre: Cadre, reasons: tuple[str, ...], reason: str, place: str, on: datetime.date, by: User | None
) -> AttendanceExcuse | None:
    """From ``on``, the member's excuse among ``reasons`` is ``reason`` ("" = none): the open one ends the day
    before (or is replaced when it began that very day) and the new one begins. One transaction; the cadre's
    row is locked so two workers' taps take turns."""
    earliest, latest = excuse_day_bounds()
    if not earliest <= on <= latest:
        raise ValidationError(
            _("生效日期应在%(start)s至今天（%(end)s）之间：已结束的月份的数据不能再改。")
            % {"start": f"{earliest:%Y-%m-%d}", "end": f"{latest:%Y-%m-%d}"}
        )
    list(Cadre.objects.select_for_update().filter(pk=cadre.pk).values_list("pk", flat=True))
    current = AttendanceExcuse.objects.open().filter(cadre=cadre, reason__in=reasons).first()
    if current and current.reason == reason and current.place == place:
        return current  # nothing changes
    if current is None and not reason:
        return None  # nothing to end, nothing to begin (the page sends both marks; one of them may be idle)
    ended = (
        AttendanceExcuse.objects.filter(cadre=cadre, reason__in=reasons, ends_on__isnull=False)
        .order_by("-ends_on")
        .values_list("ends_on", flat=True)
        .first()
    )
    if ended and on < ended:
        raise ValidationError(_("生效日期不能早于上一段情况的结束日期（%(date)s）。") % {"date": f"{ended:%Y-%m-%d}"})
    if current:
        if on < current.starts_on:
            raise ValidationError(
                _("生效日期不能早于现有情况的开始日期（%(date)s）。") % {"date": f"{current.starts_on:%Y-%m-%d}"}
            )
        if on == current.starts_on:
            current.delete()  # changed the same day: the new state replaces it
        else:
            current.ends_on = on
            current.save(update_fields=["ends_on"])
    if not reason:
        return None
    return AttendanceExcuse.objects.create(cadre=cadre, reason=reason, place=place, starts_on=on, recorded_by=by)


def mark_attendance(*, cadre: Cadre, attendance: str, on: datetime.date, by: User | None) -> AttendanceExcuse | None:
    """From ``on``, the member is bedridden or long away (followed up at home, not counted absent), or back
    to normal (``attendance`` = "")."""
    if attendance not in {"", *IN_PERSON_REASONS}:
        raise ValidationError(_("请选择参加组织生活的情况。"))
    return _set_excuse(cadre=cadre, reasons=IN_PERSON_REASONS, reason=attendance, place="", on=on, by=by)


def mark_lives_away(
    *, cadre: Cadre, lives_away: bool, place: str = "", on: datetime.date, by: User | None
) -> AttendanceExcuse | None:
    """From ``on``, the member lives elsewhere (易地居住, at ``place``), or no longer does."""
    reason = Attendance.LIVES_AWAY if lives_away else ""
    return _set_excuse(
        cadre=cadre,
        reasons=(Attendance.LIVES_AWAY,),
        reason=reason,
        place=place.strip() if lives_away else "",
        on=on,
        by=by,
    )
