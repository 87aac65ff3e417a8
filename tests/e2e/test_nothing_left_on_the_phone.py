"""Nothing left on the phone: the service worker's copies of the sign-in page and the roster are the
session's. When the session ends without a logout they are dropped and never served offline; a logout
sends Clear-Site-Data and removes the record's draft; taps kept without signal are not thrown away
without asking."""

import contextlib
import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError

from accounts.models import Role
from tests.conftest import make_user
from tests.e2e.conftest import wait_for_service_worker
from tests.factories import ActivityFactory, CadreFactory, CommunityFactory, VenueFactory

pytestmark = pytest.mark.django_db(transaction=True)

CACHED = "() => caches.keys().then(keys => Promise.all(keys.map(k => caches.open(k).then(c => c.keys())))"
CACHED += ".then(lists => lists.flat().map(r => new URL(r.url).pathname)))"


@pytest.fixture
def activity_now():
    community = CommunityFactory(name="桃花山社区")
    CadreFactory(community=community, name="张国伟")
    worker = make_user(Role.COMMUNITY, community=community, username="liaison")
    worker.set_password("Correct-Horse-42")
    worker.save()
    now = timezone.now().replace(microsecond=0)
    return ActivityFactory(
        community=community,
        venue=VenueFactory(community=community, name="桃花山党员活动室"),
        title="主题党日：学习党章",
        starts_at=now - datetime.timedelta(minutes=20),
        ends_at=now + datetime.timedelta(minutes=100),
    )


def _log_in_and_keep_the_page(page, live_server, activity):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", "liaison")
    page.fill("#id_password", "Correct-Horse-42")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/worker/")
    page.goto(f"{live_server.url}/worker/activities/{activity.pk}/")
    page.wait_for_selector("[data-offline][data-roster-ready='1']")
    assert wait_for_service_worker(page)
    page.reload()  # through the service worker, which keeps the page and the roster
    page.wait_for_selector("[data-offline][data-roster-ready='1']")
    page.wait_for_function(
        "(path) => caches.keys().then(keys => Promise.all(keys.map(k => caches.open(k).then(c => c.match(path)))))"
        ".then(hits => hits.some(Boolean))",
        arg=f"/worker/activities/{activity.pk}/roster/",
    )


def _settled_content(page):
    """The page's text once no navigation is under way."""
    for _ in range(40):
        try:
            page.wait_for_load_state()
            return page.content()
        except PlaywrightError:
            page.wait_for_timeout(250)
    return page.content()


def test_a_session_that_ended_without_a_logout_leaves_nothing_to_read_offline(
    guarded_page, live_server, activity_now, context, settings, shoot
):
    """The phone lies on the table past the idle time, with no signal: whoever picks it up cannot open the
    sign-in book or the roster from the service worker's copies (they were the ended session's)."""
    settings.SESSION_IDLE_SECONDS = 20
    page = guarded_page
    _log_in_and_keep_the_page(page, live_server, activity_now)
    assert f"/worker/activities/{activity_now.pk}/roster/" in page.evaluate(CACHED)
    context.set_offline(True)
    page.reload()  # with no signal, inside the session: the kept copy answers
    page.wait_for_selector("h1:has-text('主题党日')")
    page.wait_for_timeout(21_000)  # the session's end passes
    with contextlib.suppress(PlaywrightError):  # the offline navigation fails: nothing was served
        page.goto(f"{live_server.url}/worker/activities/{activity_now.pk}/")
    shown = _settled_content(page)  # the page's own timer may be navigating to the (unreachable) login
    assert "张国伟" not in shown and "主题党日" not in shown
    shoot(page, "30-session-ended-nothing-kept")
    context.set_offline(False)
    # back in signal: the server says the session has ended, and every copy is dropped
    page.goto(f"{live_server.url}/worker/activities/{activity_now.pk}/")
    page.wait_for_url("**/accounts/login/**")
    assert "分钟没有操作" in page.content()
    page.wait_for_function("() => caches.keys().then(keys => !keys.some(k => k.indexOf('portal-sign-in-') === 0))")


def test_the_logout_empties_the_phone(guarded_page, live_server, activity_now, context):
    page = guarded_page
    _log_in_and_keep_the_page(page, live_server, activity_now)
    page.fill("#record", "今天学习了党章第一章……")
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.indexOf('record-') === 0)")
    with page.expect_response(lambda r: r.url.endswith("/accounts/logout/") and r.request.method == "POST") as answer:
        page.click("header button:has-text('退出')")
    assert answer.value.all_headers().get("clear-site-data") == '"cache", "storage"'
    page.wait_for_url("**/accounts/login/**")
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.indexOf('record-') === 0)") == []
    page.wait_for_function("() => caches.keys().then(keys => !keys.some(k => k.indexOf('portal-sign-in-') === 0))")


def test_the_logout_asks_before_dropping_taps_not_yet_sent(guarded_page, live_server, activity_now):
    page = guarded_page
    _log_in_and_keep_the_page(page, live_server, activity_now)
    # one tap made with no signal, kept on the phone (as offline.js keeps it)
    user = page.get_attribute("[data-offline]", "data-user")
    page.evaluate(
        "(key) => localStorage.setItem(key, JSON.stringify([{key: 'k1', cadre: '1', name: '张国伟', at: ''}]))",
        f"sign-in-queue-{user}-{activity_now.pk}",
    )
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("header button:has-text('退出')")
    page.wait_for_timeout(500)
    assert asked and "1 条签到没有发送" in asked[0]
    assert "/accounts/login/" not in page.url  # the worker stays, the taps stay
