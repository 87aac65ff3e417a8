"""Sign-in with no signal: the taps a phone kept are written exactly once when it sends them, whatever
arrives twice; what cannot be written is answered calmly with the reason; the phone's roster is the
community's living cadres as a search result shows them, and nothing more."""

import datetime
import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, SignIn
from communities.models import AuditEvent
from tests.factories import ActivityFactory, CadreFactory, CommunityFactory, SignInFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(community):
    return ActivityFactory(community=community, title="重阳节座谈会")


@pytest.fixture
def worker(client, community_user):
    client.force_login(community_user)
    return client


def _send(client, activity, taps):
    return client.post(
        reverse("sign_in_sync", args=[activity.pk]),
        data=json.dumps({"taps": taps}),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )


def _tap(cadre=None, walk_in_name="", at=None):
    return {
        "key": str(uuid.uuid4()),
        "cadre": cadre.pk if cadre else "",
        "walk_in_name": walk_in_name,
        "at": (at or timezone.now()).isoformat(),
    }


def test_five_taps_kept_offline_are_five_sign_ins_however_often_they_arrive(worker, activity):
    people = [CadreFactory(community=activity.community) for _ in range(4)]
    taps = [_tap(cadre) for cadre in people] + [_tap(walk_in_name="居民王阿姨")]

    first = _send(worker, activity, taps)
    again = _send(worker, activity, taps)  # the answer was lost on the way back: the phone sends them again

    assert first.status_code == again.status_code == 200
    assert [answer["status"] for answer in first.json()["answers"]] == ["signed"] * 5
    assert [answer["status"] for answer in again.json()["answers"]] == ["signed"] * 5
    assert activity.sign_ins.count() == 5
    assert first.json()["signed"] == again.json()["signed"] == 5
    assert set(activity.sign_ins.values_list("client_key", flat=True)) == {uuid.UUID(tap["key"]) for tap in taps}


def test_a_tap_whose_answer_was_lost_online_is_not_written_again_from_the_queue(worker, activity):
    cadre = CadreFactory(community=activity.community)
    tap = _tap(cadre)
    worker.post(
        reverse("activity_sign_in", args=[activity.pk]),
        {"cadre": cadre.pk, "key": tap["key"], "from": "search"},
        HTTP_HX_REQUEST="true",
    )

    answer = _send(worker, activity, [tap]).json()["answers"][0]

    assert answer["status"] == "signed"
    assert activity.sign_ins.count() == 1


def test_someone_signed_in_meanwhile_by_qr_is_answered_calmly_and_kept_once(worker, activity):
    cadre = CadreFactory(community=activity.community, name="李秀英")
    by_qr = SignInFactory(activity=activity, cadre=cadre, method=SignIn.Method.QR)

    answer = _send(worker, activity, [_tap(cadre)]).json()["answers"][0]

    assert answer == {"key": answer["key"], "status": "already", "sign_in": by_qr.pk}
    assert list(activity.sign_ins.values_list("method", flat=True)) == [SignIn.Method.QR]


def test_taps_that_cannot_be_written_say_why_and_the_others_still_are(worker, activity):
    here = CadreFactory(community=activity.community)
    elsewhere = CadreFactory(community=CommunityFactory())
    died = CadreFactory(community=activity.community, name="周已故", deceased_on=datetime.date(2026, 1, 5))
    taps = [_tap(here), _tap(elsewhere), _tap(died), {"key": "not-a-key", "cadre": here.pk}, {"cadre": here.pk}]

    answers = _send(worker, activity, taps).json()["answers"]

    by_key = {answer["key"]: answer for answer in answers}
    assert by_key[taps[0]["key"]]["status"] == "signed"
    assert by_key[taps[1]["key"]] == {
        "key": taps[1]["key"],
        "status": "refused",
        "message": "不在本社区名单中，未签到。",
    }
    assert by_key[taps[2]["key"]]["message"] == "周已故已去世，不能签到。"
    assert [answer["status"] for answer in answers].count("refused") == 4
    assert list(activity.sign_ins.values_list("cadre", flat=True)) == [here.pk]


def test_an_activity_cancelled_while_the_phone_was_offline_takes_no_sign_in(worker, activity):
    activity.status = Activity.Status.CANCELLED
    activity.save()

    answer = _send(worker, activity, [_tap(CadreFactory(community=activity.community))]).json()["answers"][0]

    assert answer["status"] == "refused"
    assert answer["message"] == "活动已取消，不能签到。"
    assert not activity.sign_ins.exists()


def test_the_book_shows_when_the_tap_was_made_not_when_the_signal_came_back(worker, activity):
    tapped = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=3)
    wrong_clock = timezone.now() + datetime.timedelta(days=30)
    early, late = CadreFactory(community=activity.community), CadreFactory(community=activity.community)

    _send(worker, activity, [_tap(early, at=tapped), _tap(late, at=wrong_clock)])

    assert activity.sign_ins.get(cadre=early).signed_at == tapped
    assert activity.sign_ins.get(cadre=late).signed_at <= timezone.now()  # a phone's wrong clock is not believed


def test_a_queue_costs_a_bounded_number_of_queries_per_tap(worker, activity, django_assert_max_num_queries):
    people = [CadreFactory(community=activity.community) for _ in range(20)]
    # a lookup, a savepoint, the line and its history a tap; the month's lock and "held" once for the batch
    with django_assert_max_num_queries(15 + 8 * 20):
        response = _send(worker, activity, [_tap(cadre) for cadre in people])
    assert response.status_code == 200


def test_a_queue_too_long_or_not_json_is_refused_whole(worker, activity):
    cadre = CadreFactory(community=activity.community)
    too_long = _send(worker, activity, [_tap(cadre)] * 201)
    garbled = worker.post(reverse("sign_in_sync", args=[activity.pk]), data="{", content_type="application/json")
    assert too_long.status_code == garbled.status_code == 400
    assert not activity.sign_ins.exists()


def test_after_the_session_ended_the_phone_is_told_to_log_in_and_keeps_its_taps(client, activity):
    response = _send(client, activity, [_tap(CadreFactory(community=activity.community))])
    assert response.status_code == 401
    assert response.json()["login"].startswith(reverse("account_login"))
    assert not activity.sign_ins.exists()


def test_another_communitys_worker_can_neither_send_nor_read_the_roster(client, stranger, activity):
    client.force_login(stranger)
    assert _send(client, activity, [_tap(CadreFactory(community=activity.community))]).status_code == 404
    assert client.get(reverse("sign_in_roster", args=[activity.pk])).status_code == 404
    assert not activity.sign_ins.exists()


def test_the_phones_roster_is_what_a_search_result_shows_and_is_audited(
    worker, activity, community_user, django_assert_max_num_queries
):
    zhang = CadreFactory(community=activity.community, name="张国伟", phone="13800005678")
    CadreFactory(community=activity.community, name="周已故", deceased_on=datetime.date(2026, 1, 5))
    CadreFactory(community=CommunityFactory(), name="张国文")
    for _ in range(10):
        CadreFactory(community=activity.community)

    with django_assert_max_num_queries(12):
        response = worker.get(reverse("sign_in_roster", args=[activity.pk]))

    cadres = response.json()["cadres"]
    assert len(cadres) == 11
    entry = next(one for one in cadres if one["pk"] == zhang.pk)
    assert set(entry) == {"pk", "name", "initials", "pinyin", "tail", "age", "branch"}
    assert entry["initials"] == "zgw" and entry["tail"] == "5678"
    assert "13800005678" not in response.content.decode() and zhang.id_number not in response.content.decode()
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.DOWNLOAD, user=community_user)
    assert event.rows == 11


def test_the_service_worker_keeps_only_the_sign_in_pages(client):
    response = client.get(reverse("service_worker"))
    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/worker/"
    assert "/static/js/offline.js" in body and "/static/django_htmx/htmx-2.min.js" in body
    assert r"^\/worker\/activities\/\d+\/(roster\/)?$" in body


def test_a_key_reused_for_someone_else_signs_that_person_in_and_changes_nobody_else(worker, activity):
    first, second = CadreFactory(community=activity.community), CadreFactory(community=activity.community)
    tap = _tap(first)
    _send(worker, activity, [tap])

    answer = _send(worker, activity, [{**tap, "cadre": second.pk}]).json()["answers"][0]

    assert answer["status"] == "signed"
    assert set(activity.sign_ins.values_list("cadre", flat=True)) == {first.pk, second.pk}
    assert activity.sign_ins.get(cadre=second).client_key is None


def test_a_walk_ins_name_too_long_is_refused_with_the_reason(worker, activity):
    answer = _send(worker, activity, [_tap(walk_in_name="王" * 51)]).json()["answers"][0]
    assert answer["status"] == "refused"
    assert "50" in answer["message"]
    assert not activity.sign_ins.exists()
