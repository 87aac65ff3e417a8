"""等保's idle logout: a session ends when the person stops, whatever the open page keeps fetching by itself.

The clock is moved (time-machine), never waited for. Every polling element of every template is found by
reading the templates, so a new poll that would keep a session alive fails here until it says it is one.
"""

import datetime
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import resolve, reverse

from accounts.models import Role
from accounts.sessions import BACKGROUND_HEADER, BACKGROUND_PAGES
from communities.models import AuditEvent
from tests.conftest import make_user
from tests.factories import ActivityFactory, CommunityFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Correct-Horse-42"
START = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
TEMPLATES = Path(settings.BASE_DIR) / "templates"
POLL = re.compile(r"<[^>]*hx-trigger=\"[^\"]*every [^>]*>", re.S)


def test_every_poll_in_the_templates_says_it_is_one():
    """A polling element either fetches a page named background or sends the background header."""
    polls = []
    for template in TEMPLATES.rglob("*.html"):
        for tag in POLL.findall(template.read_text()):
            polls.append(template.name)
            url_name = re.search(r"hx-get=\"\{% url '([a-z_]+)'", tag)
            assert BACKGROUND_HEADER in tag or (url_name and url_name.group(1) in BACKGROUND_PAGES), (
                f"{template.name}: a poll that would keep the session alive: {tag[:120]}"
            )
    assert polls, "the sign-in page's book poll is a poll"


@pytest.fixture
def liaison_world(client):
    community = CommunityFactory()
    user = make_user(Role.COMMUNITY, community=community)
    activity = ActivityFactory(community=community)
    return {"user": user, "activity": activity}


def _login(client, user):
    response = client.post("/accounts/login/", {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/"


def _poll(client, activity):
    return client.get(
        reverse("activity_book_updates", args=[activity.pk]),
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver/worker/activities/{activity.pk}/"},
    )


def test_a_page_left_open_ends_after_the_idle_time_however_often_it_polls(client, liaison_world):
    activity = liaison_world["activity"]
    page = reverse("activity_detail", args=[activity.pk])
    with time_machine.travel(START, tick=False) as clock:
        _login(client, liaison_world["user"])
        assert client.get(page).status_code == 200
        idle = settings.SESSION_IDLE_SECONDS
        # the page polls every five seconds (here every minute, the same for the rule) for the whole idle time
        for _ in range(idle // 60 - 1):
            clock.shift(60)
            assert _poll(client, activity).status_code == 200
            assert (
                client.get(
                    reverse("sign_in_roster", args=[activity.pk]), headers={"Accept": "application/json"}
                ).status_code
                == 200
            )
        clock.shift(121)
        answer = _poll(client, activity)
        # the poll hears that the session ended: htmx loads the login page, which says why
        assert answer.status_code == 204
        assert answer.headers["HX-Redirect"].startswith("/accounts/login/?next=/worker/activities/")
        assert client.get(page).status_code == 302
        login = client.get("/accounts/login/")
        assert "分钟没有操作" in login.content.decode()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGOUT, user=liaison_world["user"]).exists()


def test_what_the_person_does_pushes_the_end_back(client, liaison_world):
    activity = liaison_world["activity"]
    with time_machine.travel(START, tick=False) as clock:
        _login(client, liaison_world["user"])
        for _ in range(4):  # two hours of typing a record, a pause of 25 minutes between drafts
            clock.shift(25 * 60)
            response = client.post(reverse("activity_record_draft", args=[activity.pk]), {"record": "学习了……"})
            assert response.status_code == 200
        assert client.get(reverse("activity_detail", args=[activity.pk])).status_code == 200


def test_a_poll_does_not_save_the_session(client, liaison_world):
    activity = liaison_world["activity"]
    with time_machine.travel(START, tick=False) as clock:
        _login(client, liaison_world["user"])
        client.get(reverse("activity_detail", args=[activity.pk]))
        stored = Session.objects.get().expire_date
        clock.shift(600)
        _poll(client, activity)
        assert Session.objects.get().expire_date == stored
        client.get(reverse("activity_detail", args=[activity.pk]))
        assert Session.objects.get().expire_date == stored + datetime.timedelta(seconds=600)


def test_a_session_ends_after_its_absolute_length_whatever_the_person_does(client, liaison_world):
    activity = liaison_world["activity"]
    page = reverse("activity_detail", args=[activity.pk])
    with time_machine.travel(START, tick=False) as clock:
        _login(client, liaison_world["user"])
        worked = 0
        while worked + 20 * 60 <= settings.SESSION_MAX_SECONDS:
            clock.shift(20 * 60)
            worked += 20 * 60
            assert client.get(page).status_code == 200
        clock.shift(20 * 60)
        assert client.get(page).status_code == 302
        assert "请重新登录" in client.get("/accounts/login/").content.decode()


def test_the_background_pages_are_pages():
    """Every name in the list is a page of the site (a renamed URL would silently count again)."""
    for name in BACKGROUND_PAGES:
        args = {"service_worker": [], "room_screen": ["x"], "room_screen_count": ["x"]}.get(name, [1])
        path = reverse(name, args=args)
        assert resolve(path).url_name == name
