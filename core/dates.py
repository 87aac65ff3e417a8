"""Dates a person types: one set of bounds, used by every model field, form and service that takes a date.

A visit, a sign-in, a service or a step of a need cannot be in the future; an activity is planned no
earlier than 2000 and no more than two years ahead; a date in someone's life (birth, retirement, joining
the Party, registration, death) lies between 1900 and today. Each bound refuses with a message naming it.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

PORTAL_RECORDS_FROM = datetime.date(2000, 1, 1)  # no activity, visit or service before the portal's era
LIVES_FROM = datetime.date(1900, 1, 1)
PLANNING_YEARS = 2


def _as_local_date(value: datetime.date) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


@deconstructible
class DateBounds:
    """Refuse a date before ``earliest`` or after today (+ ``years_ahead`` years); datetimes by their local date."""

    def __init__(self, earliest: str, years_ahead: int = 0):
        self.earliest = earliest
        self.years_ahead = years_ahead

    def bounds(self, today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
        today = today or timezone.localdate()
        try:
            latest = today.replace(year=today.year + self.years_ahead)
        except ValueError:  # 29 February
            latest = today.replace(year=today.year + self.years_ahead, day=28)
        return datetime.date.fromisoformat(self.earliest), latest

    def __call__(self, value):
        if value is None:
            return
        day = _as_local_date(value)
        earliest, latest = self.bounds()
        if day < earliest:
            raise ValidationError(_("日期不能早于%(date)s。") % {"date": f"{earliest:%Y-%m-%d}"}, code="date_too_early")
        if day > latest:
            if self.years_ahead == 0:
                raise ValidationError(
                    _("日期不能晚于今天（%(date)s）。") % {"date": f"{latest:%Y-%m-%d}"}, code="date_in_future"
                )
            raise ValidationError(
                _("日期不能晚于%(date)s（最多提前%(years)d年安排）。")
                % {"date": f"{latest:%Y-%m-%d}", "years": self.years_ahead},
                code="date_too_late",
            )

    def __eq__(self, other):
        return isinstance(other, DateBounds) and (self.earliest, self.years_ahead) == (
            other.earliest,
            other.years_ahead,
        )


# what happened: a visit, a service, a redemption, a step of a need, a sign-in — never in the future
done = DateBounds(PORTAL_RECORDS_FROM.isoformat())
# what is planned: an activity, a series, a campaign — from 2000 to two years ahead
planned = DateBounds(PORTAL_RECORDS_FROM.isoformat(), years_ahead=PLANNING_YEARS)
# a date in someone's life or an organisation's history — from 1900 to today
in_life = DateBounds(LIVES_FROM.isoformat())


def parse_day(value: object, default: datetime.date | None = None) -> datetime.date | None:
    """'2026-03-04' from a picker or a query string → that date, when within the planning bounds; else ``default``.

    A date outside 2000 … two years ahead is no page anyone asked for (``?week=9999-12-31``): the page shows
    its default rather than failing on arithmetic past the calendar's end.
    """
    try:
        day = datetime.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        return default
    earliest, latest = planned.bounds()
    return day if earliest <= day <= latest else default


def parse_month(value: object, default: datetime.date | None = None) -> datetime.date | None:
    """'2026-03' (a month picker, a clerk, a command line) → 1 March 2026 within the bounds; else ``default``."""
    day = parse_day(f"{value}-01", None) if value else None
    return day if day is not None else default


def parse_quarter(value: object, default: "Period | None" = None) -> "Period | None":
    """'2026-Q3' (the scorecard's picker) → July to September 2026 within the bounds; else ``default``."""
    text = str(value or "").strip().upper()
    year, _sep, quarter = text.partition("-Q")
    if not (year.isdigit() and quarter in ("1", "2", "3", "4")):
        return default
    first = parse_day(f"{year}-{3 * int(quarter) - 2:02d}-01", None)
    return Period.quarter(first.year, int(quarter)) if first is not None else default


# --- months and periods: the one home of month arithmetic -----------------------------------------


def month_start(day: datetime.date) -> datetime.date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def next_month(day: datetime.date) -> datetime.date:
    """The first day of the month after ``day``'s."""
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def previous_month(day: datetime.date) -> datetime.date:
    """The first day of the month before ``day``'s (the month the 1st's ledgers are for)."""
    return (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s week (a room's week schedule, the weekly jobs)."""
    return day - datetime.timedelta(days=day.weekday())


def hours_of(duration: datetime.timedelta | None) -> float:
    """A summed duration in hours to one decimal (a room's use, a guest's hours); nothing counts 0."""
    return round(duration.total_seconds() / 3600, 1) if duration else 0.0


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The start of a local (Asia/Shanghai) day, as an aware datetime for filtering ``starts_at``."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def local_day(moment: datetime.datetime | None) -> datetime.date | None:
    """The local (Asia/Shanghai) date of a moment: the day a record counts in."""
    return timezone.localtime(moment).date() if moment is not None else None


def months_back(day: datetime.date, count: int) -> datetime.date:
    """The first day of the month ``count`` months before ``day``'s (0: its own)."""
    first = month_start(day)
    for _step in range(count):
        first = previous_month(first)
    return first


@dataclass(frozen=True)
class Period:
    """[start, end) in local dates: a month, a year, or any span of whole days; "in the period"
    for figures, ledgers, pickers and the beat."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        start = datetime.date(year, month, 1)
        return cls(start, next_month(start))

    @classmethod
    def month_of(cls, day: datetime.date) -> "Period":
        return cls.month(day.year, day.month)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        start = datetime.date(year, 3 * quarter - 2, 1)
        return cls(start, datetime.date(year + 1, 1, 1) if quarter == 4 else datetime.date(year, 3 * quarter + 1, 1))

    @classmethod
    def quarter_of(cls, day: datetime.date) -> "Period":
        return cls.quarter(day.year, (day.month - 1) // 3 + 1)

    @property
    def months(self) -> list[datetime.date]:
        """The first days of the months the period covers."""
        months, first = [], month_start(self.start)
        while first < self.end:
            months.append(first)
            first = next_month(first)
        return months

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1))

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days
