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


def test_a_whole_room_on_one_wi_fi_signs_in(client, activity, settings):
    """Successes never count: 60 elders on the community room's one address are all signed in, even
    with a few typos among them (finding: the 11th was refused)."""
    people = [CadreFactory(community=activity.community, name=f"老同志{n}", phone=f"1380000{n:04d}") for n in range(60)]
    with _at(START):
        for n, cadre in enumerate(people):
            if n % 10 == 0:
                assert _post(client, activity, name=cadre.name, digits="9999").status_code == 200  # a typo
            response = _post(client, activity, name=cadre.name, digits=cadre.phone[-4:])
            assert response.status_code == 200 and "签到成功" in response.content.decode()
    assert SignIn.objects.filter(activity=activity).count() == 60


def test_guessing_one_persons_digits_is_stopped_after_a_few_failures(client, activity, cadre, settings):
    settings.SELF_SIGN_IN_FAILURES_PER_PERSON = 3
    with _at(START):
        for guess in ("0000", "0001", "0002"):
            _post(client, activity, digits=guess)
        response = _post(client, activity)  # the right digits, but this name has failed too often
        assert response.status_code == 429 and "请现场工作人员帮您签到" in response.content.decode()
        assert not SignIn.objects.exists()
        # somebody else in the same room, from the same address, is not held up
        other = CadreFactory(community=activity.community, name="李秀英", phone="13900001234")
        assert _post(client, activity, name=other.name, digits="1234").status_code == 200
    assert list(SignIn.objects.values_list("cadre", flat=True)) == [other.pk]


def test_failures_are_limited_per_address_and_per_activity(client, activity, cadre, settings):
    settings.SELF_SIGN_IN_FAILURES_PER_IP = 4
    settings.SELF_SIGN_IN_FAILURES_PER_ACTIVITY = 6
    with _at(START):
        for n in range(4):  # one phone trying many names
            _post(client, activity, name=f"乱猜{n}", digits="0000", ip="10.0.0.9")
        assert _post(client, activity, ip="10.0.0.9").status_code == 429
        assert _post(client, activity, ip="10.0.0.2").status_code == 200  # another phone is fine
        for n in range(2):  # the activity as a whole: 6 failures from anywhere
            _post(client, activity, name=f"再猜{n}", digits="0000", ip=f"10.0.1.{n}")
        assert _post(client, activity, name="张国伟", ip="10.0.2.1").status_code == 429
    assert SignIn.objects.count() == 1


def test_a_forged_or_guessed_link_is_404(client, activity):
    assert client.get(f"/q/{activity.pk}/").status_code == 404
    token = token_for(activity)
    assert client.get(f"/q/{token[:-2]}xx/").status_code == 404


def test_the_activity_page_shows_the_qr_code_as_inline_svg(client, community_user, community):
    activity = ActivityFactory(community=community, starts_at=timezone.now())
    client.force_login(community_user)
    page = client.get(f"/worker/activities/{activity.pk}/").content.decode()
    assert "<svg" in page and "扫码自助签到" in page
