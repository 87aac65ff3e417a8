"""The venue schedule: series created once, one date changed at a time, clashes named, hours per month."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from activities.models import Activity, ActivitySeries
from activities.selectors import venue_hours_in_month
from activities.services import cancel_activity, create_series, restore_activity, save_activity
from tests.factories import ActivityFactory, PartyBranchFactory, VenueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def venue(community):
    return VenueFactory(community=community, name="党员活动室")


def _series(venue, repeat, first, last, start=(9, 0), end=(11, 0), **extra):
    return ActivitySeries(
        community=venue.community,
        venue=venue,
        kind=Activity.Kind.SECRETARY_APPOINTMENT,
        title="书记有约",
        repeat=repeat,
        first_date=first,
        last_date=last,
        start_time=datetime.time(*start),
        end_time=datetime.time(*end),
        **extra,
    )


def test_a_weekly_class_is_created_once_for_every_week(venue):
    occurrences = create_series(
        series=_series(venue, "weekly", datetime.date(2026, 12, 1), datetime.date(2026, 12, 29))
    )
    days = [timezone.localtime(a.starts_at).date().day for a in occurrences]
    assert days == [1, 8, 15, 22, 29]
    assert Activity.objects.filter(series__isnull=False).count() == 5


def test_the_monthly_secretarys_appointment_falls_on_the_25th(venue):
    occurrences = create_series(
        series=_series(venue, "monthly", datetime.date(2026, 11, 25), datetime.date(2027, 3, 1))
    )
    dates = [timezone.localtime(a.starts_at).date() for a in occurrences]
    assert dates == [
        datetime.date(2026, 11, 25),
        datetime.date(2026, 12, 25),
        datetime.date(2027, 1, 25),
        datetime.date(2027, 2, 25),
    ]


def test_a_monthly_series_on_the_31st_skips_short_months(venue):
    occurrences = create_series(
        series=_series(venue, "monthly", datetime.date(2027, 1, 31), datetime.date(2027, 5, 31))
    )
    assert [timezone.localtime(a.starts_at).date().month for a in occurrences] == [1, 3, 5]


def test_a_series_clashing_on_any_date_is_refused_whole_naming_the_dates(venue):
    tz = timezone.get_current_timezone()
    save_activity(
        activity=Activity(
            community=venue.community,
            venue=venue,
            kind="culture",
            title="合唱排练",
            starts_at=datetime.datetime(2026, 12, 15, 10, tzinfo=tz),
            ends_at=datetime.datetime(2026, 12, 15, 12, tzinfo=tz),
        )
    )
    with pytest.raises(ValidationError) as error:
        create_series(series=_series(venue, "weekly", datetime.date(2026, 12, 1), datetime.date(2026, 12, 29)))
    assert "12月15日（合唱排练）" in error.value.messages[0]
    assert Activity.objects.count() == 1
    assert not ActivitySeries.objects.exists()


def test_one_date_is_cancelled_and_the_others_stay(client, community_user, venue):
    occurrences = create_series(
        series=_series(venue, "weekly", datetime.date(2026, 12, 1), datetime.date(2026, 12, 15))
    )
    client.force_login(community_user)
    response = client.post(f"/worker/activities/{occurrences[1].pk}/cancel/")
    assert response.status_code == 302
    statuses = list(Activity.objects.order_by("starts_at").values_list("status", flat=True))
    assert statuses == ["planned", "cancelled", "planned"]


def test_the_week_view_shows_who_uses_the_room_and_its_hours(client, community_user, venue):
    branch = PartyBranchFactory(community=venue.community, name="离退休干部第一党支部")
    create_series(
        series=_series(
            venue, "weekly", datetime.date(2026, 12, 1), datetime.date(2026, 12, 29), organiser_branch=branch
        )
    )
    client.force_login(community_user)
    response = client.get(f"/worker/venues/{venue.pk}/", {"week": "2026-12-02"})
    page = response.content.decode()
    assert "12月1日" in page and "书记有约" in page and "离退休干部第一党支部" in page
    assert "12月使用 10.0 小时" in page  # five two-hour dates, counted independently of the page


def test_hours_leave_out_cancelled_activities(venue):
    occurrences = create_series(
        series=_series(
            venue, "weekly", datetime.date(2026, 12, 1), datetime.date(2026, 12, 8), start=(9, 0), end=(10, 30)
        )
    )
    occurrences[0].status = "cancelled"
    occurrences[0].save()
    assert venue_hours_in_month(venue=venue, month=datetime.date(2026, 12, 1)) == 1.5


def test_another_communitys_venue_is_404(client, community_user):
    client.force_login(community_user)
    assert client.get(f"/worker/venues/{VenueFactory().pk}/").status_code == 404


def test_the_series_form_creates_the_dates(client, community_user, venue):
    client.force_login(community_user)
    response = client.post(
        "/worker/series/new/",
        {
            "kind": "course",
            "title": "老年大学书法课",
            "venue": venue.pk,
            "repeat": "weekly",
            "first_date": "2026-12-02",
            "last_date": "2026-12-16",
            "start_time": "14:30",
            "end_time": "16:00",
        },
    )
    assert response.status_code == 302
    assert Activity.objects.filter(title="老年大学书法课").count() == 3


def test_one_date_of_a_series_moves_alone_and_a_clash_is_named(client, community_user, venue):
    occurrences = create_series(
        series=_series(venue, "weekly", datetime.date(2026, 12, 1), datetime.date(2026, 12, 15))
    )
    client.force_login(community_user)
    form = {
        "kind": "secretary",
        "title": "书记有约",
        "venue": venue.pk,
        "date": "2026-12-09",
        "start_time": "15:00",
        "end_time": "16:30",
    }
    assert client.post(f"/worker/activities/{occurrences[1].pk}/edit/", form).status_code == 302
    moved = Activity.objects.get(pk=occurrences[1].pk)
    assert timezone.localtime(moved.starts_at).date() == datetime.date(2026, 12, 9)
    assert timezone.localtime(Activity.objects.get(pk=occurrences[2].pk).starts_at).date() == datetime.date(
        2026, 12, 15
    )
    clash = client.post(
        f"/worker/activities/{occurrences[1].pk}/edit/", {**form, "date": "2026-12-15", "start_time": "09:30"}
    )
    assert "已安排“书记有约”" in clash.content.decode()


def test_the_venue_list_costs_the_same_with_more_venues(client, community_user, venue, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(community_user)
    client.get("/worker/venues/")
    with CaptureQueriesContext(connection) as before:
        client.get("/worker/venues/")
    for _ in range(5):
        VenueFactory(community=venue.community)
    with django_assert_num_queries(len(before)):
        response = client.get("/worker/venues/")
    assert len(response.context["venues"]) == 6


@pytest.mark.parametrize("write", ["save", "series", "restore"])
def test_a_booking_the_database_refuses_at_the_same_moment_is_a_message_on_every_write(venue, monkeypatch, write):
    """The race only PostgreSQL's exclusion constraint sees (someone booked the slot a moment ago), on each of
    the three writes that book a room: a refusal that says what to do, nothing saved, a cancelled activity
    left cancelled."""
    from django.db import IntegrityError

    start = timezone.make_aware(datetime.datetime(2026, 12, 21, 9, 0))
    kept = ActivityFactory(
        community=venue.community, venue=venue, starts_at=start, ends_at=start + datetime.timedelta(hours=1)
    )
    cancel_activity(activity=kept)
    before = Activity.objects.count()

    def raced(*args, **kwargs):
        raise IntegrityError('conflicting key value violates exclusion constraint "activity_no_overlap_at_venue"')

    monkeypatch.setattr(Activity, "save", raced)
    monkeypatch.setattr(Activity.objects, "bulk_create", raced)
    with pytest.raises(ValidationError, match="刚被其他人预约，请刷新后换个时间"):
        if write == "save":
            save_activity(
                activity=Activity(
                    community=venue.community,
                    venue=venue,
                    kind="study",
                    title="学习会",
                    starts_at=start + datetime.timedelta(days=1),
                    ends_at=start + datetime.timedelta(days=1, hours=1),
                )
            )
        elif write == "series":
            create_series(series=_series(venue, "weekly", datetime.date(2026, 12, 1), datetime.date(2026, 12, 8)))
        else:
            restore_activity(activity=kept)
    assert kept.status == Activity.Status.CANCELLED
    assert Activity.objects.count() == before
