"""QR self sign-in: a signed link, open from an hour before to two hours after, rate-limited, revealing nobody."""

import datetime
import re
from unittest import mock

import pytest
import time_machine
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


@pytest.mark.parametrize("spelled", ["张 国伟", "张国 伟", "张\u3000国伟", " 张国伟 ", "\uff3a"])
def test_the_name_is_counted_as_it_is_looked_up(client, activity, cadre, settings, spelled):
    """Spaces and full-width forms give no extra guesses: the name counts as the lookup reads it."""
    settings.SELF_SIGN_IN_FAILURES_PER_PERSON = 3
    variants = ["张 国伟", "张国 伟", "张\u3000国伟"]
    with _at(START):
        for n, variant in enumerate(variants):
            assert _post(client, activity, name=variant, digits=f"000{n}").status_code == 200
        if spelled == "\uff3a":  # another name altogether is not held up
            assert _post(client, activity, name=spelled).status_code == 200
            return
        assert _post(client, activity, name=spelled).status_code == 429
    assert not SignIn.objects.exists()


def test_a_room_of_30_on_one_address_where_five_mistype_all_sign_in(client, activity):
    """The room's shared Wi-Fi: 25 sign in at the first try, five mistype their digits once and then
    type them right, one after the other as they queue at the door — nobody waits, nobody is refused."""
    people = [CadreFactory(community=activity.community, name=f"老党员{n}", phone=f"1390000{n:04d}") for n in range(30)]
    with _at(START):
        for n, person in enumerate(people):
            if n % 6 == 0:
                wrong = _post(client, activity, name=person.name, digits="9999")
                assert wrong.status_code == 200 and "未能签到" in wrong.content.decode()
            right = _post(client, activity, name=person.name, digits=person.phone[-4:])
            assert right.status_code == 200 and "签到成功" in right.content.decode(), person.name
    assert SignIn.objects.filter(activity=activity).count() == 30


def test_a_guesser_on_the_shared_address_is_slowed_and_a_right_person_only_waits_seconds(
    client, activity, cadre, settings
):
    settings.SELF_SIGN_IN_FAILURES_PER_IP = 4
    with time_machine.travel(START + datetime.timedelta(minutes=5), tick=False) as clock:
        for n in range(4):  # one phone trying many names
            assert _post(client, activity, name=f"乱猜{n}", digits="0000").status_code == 200
        waits = []
        for n in range(6):  # each further try waits longer: 1, 2, 4, 8 … seconds
            refused = _post(client, activity, name=f"再猜{n}", digits="0000")
            assert refused.status_code == 429 and "请稍等" in refused.content.decode()
            seconds = int(re.search(r"请稍等 (\d+) 秒", refused.content.decode()).group(1))
            waits.append(seconds)
            clock.shift(seconds)
            assert _post(client, activity, name=f"再猜{n}", digits="0000").status_code == 200
        assert waits == [1, 2, 4, 8, 16, 32]
        # at most a minute, however long it goes on
        for n in range(4):
            clock.shift(settings.SELF_SIGN_IN_MAX_WAIT_SECONDS)
            _post(client, activity, name=f"又猜{n}", digits="0000")
        refused = _post(client, activity)
        wait = int(re.search(r"请稍等 (\d+) 秒", refused.content.decode()).group(1))
        assert wait <= settings.SELF_SIGN_IN_MAX_WAIT_SECONDS
        # the elder whose details are right, on the same Wi-Fi, waits that long and is signed in
        clock.shift(wait)
        assert "签到成功" in _post(client, activity).content.decode()
        assert _post(client, activity, ip="10.0.0.2", name="张国伟").status_code == 200  # another phone: no wait


def test_an_activity_under_attack_spaces_every_address_but_refuses_nobody(client, activity, cadre, settings):
    settings.SELF_SIGN_IN_FAILURES_PER_ACTIVITY = 6
    with time_machine.travel(START + datetime.timedelta(minutes=5), tick=False) as clock:
        for n in range(6):  # failures from many addresses
            _post(client, activity, name=f"乱猜{n}", digits="0000", ip=f"10.0.1.{n}")
        assert _post(client, activity, ip="10.0.2.1", digits="0000").status_code == 200  # a first try goes through
        refused = _post(client, activity, ip="10.0.2.1")
        assert refused.status_code == 429 and "请稍等" in refused.content.decode()
        clock.shift(settings.SELF_SIGN_IN_BUSY_SPACING_SECONDS)
        assert "签到成功" in _post(client, activity, ip="10.0.2.1").content.decode()
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
