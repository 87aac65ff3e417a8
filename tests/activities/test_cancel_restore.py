"""Cancelling an activity asks first, stops its QR and sign-in, and can be undone while the slot is free."""

import datetime

import pytest
from django.utils import timezone

from activities.models import Activity
from activities.self_sign_in import token_for
from tests.factories import ActivityFactory, VenueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(community):
    start = timezone.now() + datetime.timedelta(hours=1)
    venue = VenueFactory(community=community)
    return ActivityFactory(
        community=community, venue=venue, starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )


def test_the_first_tap_asks_and_only_the_confirmation_cancels(client, community_user, activity):
    client.force_login(community_user)
    page = client.get(f"/worker/activities/{activity.pk}/cancel/")
    assert page.status_code == 200 and "确定取消这一次" in page.content.decode()
    activity.refresh_from_db()
    assert activity.status != Activity.Status.CANCELLED
    response = client.post(f"/worker/activities/{activity.pk}/cancel/")
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == Activity.Status.CANCELLED


def test_a_cancelled_activity_shows_no_qr_and_no_sign_in_and_offers_a_restore(client, community_user, activity):
    activity.status = Activity.Status.CANCELLED
    activity.save()
    client.force_login(community_user)
    page = client.get(f"/worker/activities/{activity.pk}/").content.decode()
    assert "这次活动已取消" in page and "恢复活动" in page
    assert "<svg" not in page and 'id="search"' not in page
    assert client.post(f"/q/{token_for(activity)}/", {"name": "x", "digits": "1234"}).status_code == 200
    assert "不在签到时间内" in client.get(f"/q/{token_for(activity)}/").content.decode()


def test_restore_brings_it_back_unless_the_slot_was_taken(client, community_user, activity):
    client.force_login(community_user)
    client.post(f"/worker/activities/{activity.pk}/cancel/")
    client.post(f"/worker/activities/{activity.pk}/restore/")
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PLANNED

    client.post(f"/worker/activities/{activity.pk}/cancel/")
    ActivityFactory(
        community=activity.community,
        venue=activity.venue,
        title="书法班",
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
    )
    page = client.post(f"/worker/activities/{activity.pk}/restore/", follow=True).content.decode()
    activity.refresh_from_db()
    assert activity.status == Activity.Status.CANCELLED
    assert "书法班" in page  # the reason names what took the slot
