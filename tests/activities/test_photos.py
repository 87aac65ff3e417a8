"""Photos of the record book: images only, upright, no EXIF (no GPS), thumbnails, served within scope."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import Role
from activities.models import ActivityPhoto
from tests.conftest import make_user
from tests.factories import ActivityFactory, CommunityFactory

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def phone_photo(width=3000, height=2000, name="IMG_0001.jpg"):
    """A JPEG as a phone takes it: large, with GPS coordinates and an orientation tag in its EXIF."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # "rotate 90° to show upright"
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2], gps[3], gps[4] = "N", (36.0, 43.0, 12.0), "E", (117.0, 32.0, 24.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def activity(community):
    return ActivityFactory(community=community)


def test_a_phone_photo_is_stored_upright_resized_and_without_exif(client, community_user, activity):
    client.force_login(community_user)
    response = client.post(f"/worker/activities/{activity.pk}/photos/", {"photos": [phone_photo()]})
    assert response.status_code == 302
    photo = ActivityPhoto.objects.get()
    with Image.open(photo.image.open("rb")) as stored:
        assert max(stored.size) == 1920
        assert stored.size[0] < stored.size[1]  # turned upright (portrait) by the orientation tag
        assert not stored.getexif()  # no GPS, no maker, nothing
    with Image.open(photo.thumbnail.open("rb")) as thumb:
        assert max(thumb.size) == 360
    page = client.get(f"/worker/activities/{activity.pk}/").content.decode()
    assert f"/worker/activities/{activity.pk}/photos/{photo.pk}/thumb.jpg" in page


def test_a_file_that_is_not_an_image_is_refused_by_its_content(client, community_user, activity):
    client.force_login(community_user)
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = client.post(f"/worker/activities/{activity.pk}/photos/", {"photos": [fake]}, follow=True)
    assert "不是图片" in response.content.decode()
    assert not ActivityPhoto.objects.exists()


def test_photos_are_served_only_within_scope(client, community_user, activity):
    client.force_login(community_user)
    client.post(f"/worker/activities/{activity.pk}/photos/", {"photos": [phone_photo(400, 300)]})
    photo = ActivityPhoto.objects.get()
    url = f"/worker/activities/{activity.pk}/photos/{photo.pk}/full.jpg"
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    client.force_login(make_user(Role.COMMUNITY, community=CommunityFactory()))
    assert client.get(url).status_code == 404
    client.force_login(make_user(Role.LEADER))
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_writing_the_record_marks_the_activity_held(client, community_user, activity):
    client.force_login(community_user)
    client.post(f"/worker/activities/{activity.pk}/record/", {"record": "学习了党章，8位老同志发言。"})
    activity.refresh_from_db()
    assert (activity.record, activity.status) == ("学习了党章，8位老同志发言。", "held")


def test_the_bureau_sees_an_activitys_photos_in_the_admin(client, activity):
    from activities.photos import add_photo

    photo = add_photo(activity=activity, upload=phone_photo(400, 300))
    client.force_login(make_user(Role.BUREAU))
    page = client.get(f"/admin/activities/activity/{activity.pk}/change/").content.decode()
    assert f"/worker/activities/{activity.pk}/photos/{photo.pk}/thumb.jpg" in page
    assert client.get(f"/worker/activities/{activity.pk}/photos/{photo.pk}/thumb.jpg").status_code == 200
