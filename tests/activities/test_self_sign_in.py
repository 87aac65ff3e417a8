"""QR self sign-in: a signed link, open from an hour before to two hours after, rate-limited, revealing nobody."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from activities.models import SignIn
from activities.self_sign_in import token_for
from tests.factories import ActivityFactory, CadreFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def activity():
    return ActivityFactory(starts_at=START, ends_at=START + datetime.timedelta(hours=2))


@pytest.fixture
def cadre(activity):
    return CadreFactory(community=activity.community, name="张国伟", phone="13800005678")


def _at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def _post(client, activity, name="张国伟", digits="5678", ip="10.0.0.1"):
    return client.post(f"/q/{token_for(activity)}/", {"name": name, "digits": digits}, REMOTE_ADDR=ip)


def test_a_cadre_signs_in_with_name_and_phone_tail(client, activity, cadre):
    with _at(START):
        response = _post(client, activity)
    assert "张国伟，签到成功" in response.content.decode()
    sign_in = SignIn.objects.get()
    assert (sign_in.cadre, sign_in.method) == (cadre, "qr")


def test_the_last_4_of_the_id_number_work_too_and_twice_is_harmless(client, activity, cadre):
    with _at(START):
        _post(client, activity, digits=cadre.id_number[-4:])
        _post(client, activity, digits="5678")
    assert SignIn.objects.count() == 1


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        (START - datetime.timedelta(hours=1, minutes=1), False),
        (START - datetime.timedelta(hours=1), True),
        (START + datetime.timedelta(hours=4), True),  # two hours after the end
        (START + datetime.timedelta(hours=4, minutes=1), False),
    ],
)
def test_the_link_works_from_an_hour_before_to_two_hours_after(client, activity, cadre, moment, open_):
    with _at(moment):
        response = _post(client, activity)
    assert SignIn.objects.exists() is open_
    if not open_:
        assert "不在签到时间内" in response.content.decode()


def test_wrong_details_and_unknown_people_get_the_same_answer(client, activity, cadre):
    with _at(START):
        wrong_digits = _post(client, activity, digits="0000").content.decode()
        nobody = _post(client, activity, name="查无此人").content.decode()
    message = "未能签到：请核对姓名和后四位数字"
    assert message in wrong_digits and message in nobody
    assert not SignIn.objects.exists()


def test_attempts_are_limited_per_ip(client, activity, cadre, settings):
    settings.SELF_SIGN_IN_ATTEMPTS_PER_IP = 3
    with _at(START):
        for _ in range(3):
            _post(client, activity, digits="0000")
        response = _post(client, activity)  # right details, but too many tries from this address
        assert response.status_code == 429
        assert not SignIn.objects.exists()
        assert _post(client, activity, ip="10.0.0.2").status_code == 200  # another phone is fine
    assert SignIn.objects.count() == 1


def test_attempts_are_limited_per_activity(client, activity, cadre, settings):
    settings.SELF_SIGN_IN_ATTEMPTS_PER_ACTIVITY = 2
    with _at(START):
        _post(client, activity, digits="0000", ip="10.0.0.1")
        _post(client, activity, digits="0000", ip="10.0.0.2")
        assert _post(client, activity, ip="10.0.0.3").status_code == 429


def test_a_forged_or_guessed_link_is_404(client, activity):
    assert client.get(f"/q/{activity.pk}/").status_code == 404
    token = token_for(activity)
    assert client.get(f"/q/{token[:-2]}xx/").status_code == 404


def test_the_activity_page_shows_the_qr_code_as_inline_svg(client, community_user, community):
    activity = ActivityFactory(community=community, starts_at=timezone.now())
    client.force_login(community_user)
    page = client.get(f"/worker/activities/{activity.pk}/").content.decode()
    assert "<svg" in page and "扫码自助签到" in page
