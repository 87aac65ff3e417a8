"""Sign-in with no signal, in the browser: the liaison's phone loses the connection in the Party room, signs
five people in (four found by pinyin on the phone itself, one walk-in by name), sees them kept as 待发送 —
also after reopening the page — and when the signal returns finds exactly five sign-ins in the book."""

import datetime
import time

import pytest
from django.utils import timezone

from accounts.models import Role
from activities.models import SignIn
from tests.conftest import make_user
from tests.e2e.conftest import wait_for_service_worker
from tests.factories import ActivityFactory, CadreFactory, CommunityFactory, VenueFactory

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = [("张国伟", "zgw"), ("李秀英", "lxy"), ("王建华", "wjh"), ("赵德明", "zdm")]


@pytest.fixture
def activity_now():
    community = CommunityFactory(name="桃花山社区")
    for name, _initials in PEOPLE + [("钱学森", "qxs")]:
        CadreFactory(community=community, name=name)
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


def _wait_for(predicate, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def test_five_sign_ins_made_with_no_signal_arrive_once_when_it_returns(
    guarded_page, live_server, activity_now, shoot, context
):
    page = guarded_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", "liaison")
    page.fill("#id_password", "Correct-Horse-42")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/worker/")
    page.goto(f"{live_server.url}/worker/activities/{activity_now.pk}/")
    page.wait_for_selector("[data-offline][data-roster-ready='5']")
    assert wait_for_service_worker(page)  # the page is kept for reopening offline
    page.reload()  # now through the service worker, which keeps a copy of the page as it loads
    page.wait_for_selector("[data-offline][data-roster-ready='5']")

    context.set_offline(True)
    page.wait_for_selector("#offline-status:has-text('没有网络')")
    for name, initials in PEOPLE:
        page.fill("#search", initials)
        button = page.locator(f"#results button[data-name='{name}']")
        button.wait_for()
        button.click()
        page.wait_for_selector(f"#book-list li.pending:has-text('{name}')")
        assert page.input_value("#search") == ""
        assert page.evaluate("document.activeElement.id") == "search"
    page.fill("#walk_in_name", "居民王阿姨")
    page.click("form.walk-in button[type=submit]")
    page.wait_for_selector("#book-list li.pending:has-text('居民王阿姨')")

    assert page.locator("#book-list li.pending").count() == 5
    assert "5 人" in page.inner_text("#offline-status")
    assert "待发送 5 人" in page.inner_text("#book-count")  # the sticky count says so too
    assert SignIn.objects.count() == 0
    shoot(page, "offline-01-five-kept-on-the-phone")

    # the phone locks, the page is opened again, still without signal: the page and its five are there
    page.reload()
    page.wait_for_selector("#book-list li.pending >> nth=4")
    assert page.locator("#book-list li.pending").count() == 5
    shoot(page, "offline-02-reopened-without-signal")

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#offline-status:has-text('已全部发送')")
    assert _wait_for(lambda: SignIn.objects.count() == 5)
    page.wait_for_selector("#signed-count:text-is('5')")
    assert page.locator("#book-list li.pending").count() == 0
    assert "待发送" not in page.inner_text("#book-count")
    names = set(SignIn.objects.values_list("cadre__name", flat=True)) | {"居民王阿姨"}
    assert names >= {name for name, _ in PEOPLE}
    assert SignIn.objects.filter(walk_in_name="居民王阿姨").count() == 1
    time.sleep(6)  # a poll of the book later: each of the five appears once
    assert page.locator("#book-list li").count() == 5
    shoot(page, "offline-03-sent-once-when-the-signal-returned")
