"""Weekly reminders: per community, overdue care visits and the milestone birthdays (80, 90, 100) of the month.

Birthdays are listed by month, never by day or week: the reminders are read by roles that see birth dates
only to the month (README "Security"), and a name appearing in one week's list would give the week away.
"""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cadres.models import Cadre, CareCase
from cadres.models.people import born_on_or_before_age
from cadres.selectors import care_cases_overdue
from communities.models import Community
from core.dates import Period
from portal.models import WeeklyReminder

MILESTONES = (80, 90, 100)  # 整寿: the bureau visits on these birthdays


def milestone_birthdays(*, start: datetime.date, days: int = 7):
    """Living cadres turning 80, 90 or 100 in [start, start + days): one query, by birth-date ranges."""
    end = start + datetime.timedelta(days=days)
    turning = Q()
    for age in MILESTONES:
        # turning ``age`` in [start, end): aged ``age`` on the week's last day but not on the day before it began
        turning |= Q(
            birth_date__lte=born_on_or_before_age(age, end - datetime.timedelta(days=1)),
            birth_date__gt=born_on_or_before_age(age, start - datetime.timedelta(days=1)),
        )
    return Cadre.objects.living().filter(turning)


def turning_day(birth: datetime.date, start: datetime.date, days: int = 7):
    """The day in [start, start + days) someone born on ``birth`` turns 80, 90 or 100, and that age; else (None, None).

    A 29 February birthday falls on 1 March in common years, as the figures' ages count it.
    """
    for offset in range(days):
        day = start + datetime.timedelta(days=offset)
        age = day.year - birth.year
        if age not in MILESTONES:
            continue
        try:
            anniversary = birth.replace(year=day.year)
        except ValueError:
            anniversary = datetime.date(day.year, 3, 1)
        if anniversary == day:
            return day, age
    return None, None


def _months_of_week(week_start: datetime.date) -> list[tuple[datetime.date, int]]:
    """(first day, number of days) of each month the week touches: one, or two at a month's turn."""
    months = []
    for day in (week_start, week_start + datetime.timedelta(days=6)):
        month = Period.month_of(day)
        if all(month.start != known for known, _days in months):
            months.append((month.start, month.days))
    return months


@transaction.atomic
def build_reminders(*, week_start: datetime.date) -> int:
    """Write (or rewrite) every community's reminders for the week starting ``week_start``; idempotent."""
    overdue, birthdays = {}, {}
    for case in care_cases_overdue(CareCase.objects.all(), as_of=week_start):
        overdue.setdefault(case.cadre.community_id, []).append(
            {"name": case.cadre.name, "days": case.days_overdue, "last_seen": case.last_seen.isoformat()}
        )
    for first, days in _months_of_week(week_start):
        for cadre in (
            milestone_birthdays(start=first, days=days).order_by("birth_date").only("name", "birth_date", "community")
        ):
            day, age = turning_day(cadre.birth_date, first, days)
            if day is not None:
                birthdays.setdefault(cadre.community_id, []).append(
                    {"name": cadre.name, "month": f"{day:%Y-%m}", "age": age}
                )
    now = timezone.now()
    rows = [
        WeeklyReminder(
            community_id=community_id,
            week_start=week_start,
            overdue=overdue.get(community_id, []),
            birthdays=birthdays.get(community_id, []),
            built_at=now,
        )
        for community_id in Community.objects.values_list("pk", flat=True)
    ]
    # one statement for every community: a rebuilt week replaces its rows, never duplicates them
    WeeklyReminder.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["community", "week_start"],
        update_fields=["overdue", "birthdays", "built_at"],
    )
    return len(overdue) + len(birthdays)
