"""Reads of the activities app: the venue schedule (活动安排表) and its hours."""

import datetime

from django.db.models import DurationField, ExpressionWrapper, F, Sum
from django.utils import timezone

from activities.models import Activity


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def venue_week(*, venue, monday: datetime.date):
    """The 7 days of a week at a venue, each with its activities (cancelled ones shown struck out)."""
    start = _aware(monday)
    activities = (
        Activity.objects.filter(venue=venue, starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=7))
        .select_related("organiser_branch", "series")
        .order_by("starts_at")
    )
    days = {monday + datetime.timedelta(days=offset): [] for offset in range(7)}
    for activity in activities:
        days[timezone.localtime(activity.starts_at).date()].append(activity)
    return list(days.items())


def venue_hours_in_month(*, venue, month: datetime.date) -> float:
    """Hours the venue is in use in a month (activities not cancelled), summed by the database."""
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    total = (
        Activity.objects.held()
        .filter(venue=venue, starts_at__gte=_aware(first), starts_at__lt=_aware(following))
        .aggregate(total=Sum(ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())))["total"]
    )
    return round(total.total_seconds() / 3600, 1) if total else 0.0


def organisers_of(*, venue, since: datetime.date):
    """Who uses the room: the organising branches of its activities since a date."""
    return sorted(
        set(
            Activity.objects.held()
            .filter(venue=venue, starts_at__gte=_aware(since), organiser_branch__isnull=False)
            .values_list("organiser_branch__name", flat=True)
        )
    )
