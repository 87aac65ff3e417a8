import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from activities.models import Activity, SignIn
from activities.services import record_sign_in, save_activity, undo_sign_in
from tests.factories import ActivityFactory, CadreFactory, CommunityFactory, VenueFactory

pytestmark = pytest.mark.django_db

NINE = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


def _activity(venue, start, hours=2, title="学习会", **extra):
    return Activity(
        community=venue.community,
        venue=venue,
        kind=Activity.Kind.STUDY,
        title=title,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=hours),
        **extra,
    )


@pytest.fixture
def venue():
    return VenueFactory(name="党员活动室", community=CommunityFactory())


def test_an_activity_overlapping_another_at_the_same_venue_is_refused_naming_the_clash(venue):
    save_activity(activity=_activity(venue, NINE, title="书记有约"))
    with pytest.raises(ValidationError) as error:
        save_activity(activity=_activity(venue, NINE + datetime.timedelta(hours=1)))
    assert "党员活动室在这段时间已安排“书记有约”" in error.value.messages[0]
    assert Activity.objects.count() == 1


def test_back_to_back_activities_and_other_venues_are_fine(venue):
    save_activity(activity=_activity(venue, NINE))
    save_activity(activity=_activity(venue, NINE + datetime.timedelta(hours=2)))
    other = VenueFactory(community=venue.community)
    save_activity(activity=_activity(other, NINE))
    assert Activity.objects.count() == 3


def test_a_cancelled_activity_frees_its_slot(venue):
    first = save_activity(activity=_activity(venue, NINE))
    first.status = Activity.Status.CANCELLED
    save_activity(activity=first)
    save_activity(activity=_activity(venue, NINE))
    assert Activity.objects.not_cancelled().count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint exists on PostgreSQL only")
def test_on_postgresql_the_database_itself_refuses_an_overlap(venue):
    _activity(venue, NINE).save()
    with pytest.raises(IntegrityError, match="activity_no_overlap_at_venue"), transaction.atomic():
        _activity(venue, NINE + datetime.timedelta(minutes=30)).save()  # bypassing the service's check


def test_signing_the_same_cadre_in_twice_keeps_one_line():
    activity = ActivityFactory()
    cadre = CadreFactory(community=activity.community)
    first, created = record_sign_in(activity=activity, cadre=cadre)
    again, created_again = record_sign_in(activity=activity, cadre=cadre)
    assert (created, created_again) == (True, False)
    assert first == again
    assert SignIn.objects.count() == 1


def test_a_walk_in_resident_is_signed_in_by_name_once():
    activity = ActivityFactory()
    record_sign_in(activity=activity, walk_in_name=" 李大妈 ")
    record_sign_in(activity=activity, walk_in_name="李大妈")
    assert list(SignIn.objects.values_list("walk_in_name", flat=True)) == ["李大妈"]


def test_a_mistaken_tap_can_be_undone():
    activity = ActivityFactory()
    sign_in, _ = record_sign_in(activity=activity, cadre=CadreFactory(community=activity.community))
    undo_sign_in(sign_in=sign_in)
    assert not SignIn.objects.exists()


def test_no_sign_in_to_a_cancelled_activity():
    activity = ActivityFactory(status=Activity.Status.CANCELLED)
    with pytest.raises(ValidationError, match="已取消"):
        record_sign_in(activity=activity, walk_in_name="李大妈")
