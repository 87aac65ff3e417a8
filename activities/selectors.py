"""Reads of the activities app: the venue schedule (活动安排表) and its hours."""

import datetime
from collections.abc import Iterable

from django.db.models import DurationField, ExpressionWrapper, F, Sum
from django.utils import timezone

from activities.models import Activity
from communities.models import Venue
from core.dates import hours_of, local_midnight, month_start, next_month


def venue_week(*, venue: Venue, monday: datetime.date) -> list[tuple[datetime.date, list[Activity]]]:
    """The 7 days of a week at a venue, each with its activities (cancelled ones shown struck out)."""
    start = local_midnight(monday)
    activities = (
        Activity.objects.filter(venue=venue, starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=7))
        .select_related("organiser_branch", "series")
        .order_by("starts_at")
    )
    days: dict[datetime.date, list[Activity]] = {monday + datetime.timedelta(days=offset): [] for offset in range(7)}
    for activity in activities:
        days[timezone.localtime(activity.starts_at).date()].append(activity)
    return list(days.items())


def venue_hours_by_month(*, venues: Iterable[Venue], month: datetime.date) -> dict:
    """Hours each venue is in use in a month (activities not cancelled): one grouped query for all of them."""
    first = month_start(month)
    duration = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
    rows = (
        Activity.objects.not_cancelled()
        .filter(venue__in=venues, starts_at__gte=local_midnight(first), starts_at__lt=local_midnight(next_month(first)))
        .values("venue")
        .annotate(total=Sum(duration))
        .order_by()
    )
    hours = {row["venue"]: hours_of(row["total"]) for row in rows if row["total"]}
    return {getattr(venue, "pk", venue): hours.get(getattr(venue, "pk", venue), 0.0) for venue in venues}


def venue_hours_in_month(*, venue: Venue, month: datetime.date) -> float:
    """Hours one venue is in use in a month."""
    return venue_hours_by_month(venues=[venue], month=month)[venue.pk]


def organisers_of(*, venue: Venue, since: datetime.date) -> list[str]:
    """Who uses the room: the organising branches of its activities since a date."""
    return sorted(
        set(
            Activity.objects.held()
            .filter(venue=venue, starts_at__gte=local_midnight(since), organiser_branch__isnull=False)
            .values_list("organiser_branch__name", flat=True)
        )
    )
