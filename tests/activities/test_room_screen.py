"""The room's screen (大屏) runs on a display grant, never on the liaison's session.

The liaison issues a link on the sign-in page and opens it on the room's PC; the screen shows the QR, the
count and the time, links nowhere and names nobody; it ends with the activity's sign-in window or when
the liaison takes it back, and then says so and stops polling.
"""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from activities.models import Activity, ScreenGrant
from activities.self_sign_in import CLOSES_AFTER
from communities.models import AuditEvent
from tests.conftest import make_user
from tests.factories import ActivityFactory, CadreFactory, CommunityFactory, SignInFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client):
    community = CommunityFactory()
    liaison = make_user(Role.COMMUNITY, community=community)
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(minutes=20)
    activity = ActivityFactory(community=community, starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    return {"liaison": liaison, "activity": activity, "community": community}


def _issue(client, world) -> str:
    """The liaison opens the screen: the link on the page, as the liaison would copy it."""
    client.force_login(world["liaison"])
    page = client.post(reverse("activity_screen", args=[world["activity"].pk]), {"action": "issue"})
    assert page.status_code == 200
    link = re.search(r'class="screen-link"><a href="http://testserver(/screen/[^"]+/)"', page.content.decode())
    assert link, "the page shows the link for the room's PC"
    return link.group(1)


def test_the_screen_opens_without_any_session_and_shows_only_the_qr_the_count_and_the_time(client, world):
    person = CadreFactory(community=world["community"], name="张国伟")
    SignInFactory(activity=world["activity"], cadre=person)
    link = _issue(client, world)
    client.logout()  # the room's PC: nobody logged in
    page = client.get(link)
    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in body and "请用手机扫一扫下面的二维码签到" in body and "<strong>1</strong>" in body
    assert "张国伟" not in body
    assert re.findall(r"<a\s", body) == [], "the screen links nowhere"
    assert "sessionid" not in page.cookies
    count = client.get(link + "count/", headers={"HX-Request": "true"})
    assert count.status_code == 200 and "<strong>1</strong>" in count.content.decode()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SCREEN_GRANT, user=world["liaison"]).count() == 1


def test_only_a_hash_of_the_link_is_kept(client, world):
    link = _issue(client, world)
    secret = link.split("/")[2]
    assert not ScreenGrant.objects.filter(secret_hash=secret).exists()
    assert secret not in str(list(ScreenGrant.objects.values()))


def test_the_liaison_takes_the_screen_back_and_it_says_so_and_stops_polling(client, world):
    link = _issue(client, world)
    client.post(reverse("activity_screen", args=[world["activity"].pk]), {"action": "revoke"})
    client.logout()
    count = client.get(link + "count/", headers={"HX-Request": "true"})
    assert count.status_code == 286  # htmx stops polling
    assert count.headers["HX-Refresh"] == "true"  # and loads the page again: no QR left on the room's screen
    assert "大屏已停用" in count.content.decode() and "hx-trigger" not in count.content.decode()
    page = client.get(link)
    assert page.status_code == 404 and "大屏已停用" in page.content.decode() and "<svg" not in page.content.decode()


def test_the_screen_ends_with_the_activitys_sign_in_window(client, world):
    link = _issue(client, world)
    client.logout()
    with time_machine.travel(world["activity"].ends_at + CLOSES_AFTER + datetime.timedelta(seconds=1)):
        assert client.get(link + "count/").status_code == 286
        assert client.get(link).status_code == 404


def test_no_screen_for_a_cancelled_or_finished_activity(client, world):
    client.force_login(world["liaison"])
    activity = world["activity"]
    Activity.objects.filter(pk=activity.pk).update(status=Activity.Status.CANCELLED)
    answer = client.post(reverse("activity_screen", args=[activity.pk]), {"action": "issue"}, follow=True)
    assert "已取消" in answer.content.decode() and not ScreenGrant.objects.exists()


def test_a_forged_or_oversized_link_is_a_plain_404(client):
    for secret in ("x", "a" * 500):
        response = client.get(f"/screen/{secret}/")
        assert response.status_code == 404 and "大屏已停用" in response.content.decode()


def test_the_sign_in_page_no_longer_puts_the_worker_session_on_a_screen(client, world):
    client.force_login(world["liaison"])
    page = client.get(reverse("activity_detail", args=[world["activity"].pk])).content.decode()
    assert "/kiosk/" not in page and reverse("activity_screen", args=[world["activity"].pk]) in page
