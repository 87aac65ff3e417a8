"""axe-core (bundled with axe-playwright-python, nothing downloaded) on every worker page and the QR self
sign-in page, at 390×844: no serious or critical violation. The self sign-in page follows the MIIT 适老化
guidance: type of 18 px or more, no timed steps, no captcha."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from accounts.models import Role
from activities.models import Activity, SignIn
from activities.self_sign_in import token_for
from core.dates import months_back
from tests.conftest import make_user
from tests.e2e.conftest import wait_for_sign_in_page
from tests.factories import CadreFactory, CareCaseFactory, CommunityFactory, VenueFactory

pytestmark = pytest.mark.django_db(transaction=True)

WORKER_PAGES = [
    "/worker/",
    "/worker/activities/{activity}/",
    "/worker/activities/{activity}/cancel/",
    "/worker/visits/new/",
    "/worker/needs/new/",
    "/worker/activities/new/",
    "/worker/cadres/{cadre}/",
    "/worker/venues/",
    "/worker/venues/{venue}/",
    "/worker/care/",
    "/worker/needs/",
    "/worker/timebank/",
    "/worker/talents/",
    "/worker/resources/",
    "/worker/projects/",
    "/worker/absences/",
    "/worker/activities/{activity}/screen/",
    "/worker/members/",
    "/worker/members/list/registered/",
    "/worker/members/list/mobile/",
    "/worker/members/list/homeless/",
    "/worker/members/mobile/new/",
    "/worker/rooms/",
    "/worker/rooms/requests/",
    # last month's ledger: its checks, the reasons to write and the submit button
    "/ledgers/approvals/{community}/{last_month}/",
    "/ledgers/approvals/",
]


@pytest.fixture
def world():
    community = CommunityFactory(name="桃花山社区")
    venue = VenueFactory(community=community, name="桃花山党员活动室")
    cadres = [CadreFactory(community=community, name=name) for name in ("张国伟", "李秀英", "王建华")]
    CareCaseFactory(cadre=cadres[0])
    start = timezone.now()
    activity = Activity.objects.create(
        community=community,
        venue=venue,
        kind="party_day",
        title="主题党日",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
    )
    SignIn.objects.create(activity=activity, cadre=cadres[1], method=SignIn.Method.WORKER)
    worker = make_user(Role.COMMUNITY, community=community, username="liaison")
    worker.set_password("Correct-Horse-42")
    worker.save()
    return {"activity": activity, "venue": venue, "cadre": cadres[0], "community": community}


def _serious(page) -> list[str]:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}})
    return [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']][:3]}"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


SMALL_TARGETS = """() => Array.from(document.querySelectorAll(
    'main a[href], main button, main input:not([type=hidden]), main select, main summary, header a, header button'
  )).filter((el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === 'hidden') { return false; }
    const target = el.closest('label') || el;  // a radio or checkbox is tapped by its whole label
    const area = target.getBoundingClientRect();
    return area.height < 44 || area.width < 44;
  }).map((el) => `${el.tagName.toLowerCase()} "${(el.innerText || el.value || el.name || '').trim().slice(0, 20)}" `
    + `${Math.round((el.closest('label') || el).getBoundingClientRect().width)}x`
    + `${Math.round((el.closest('label') || el).getBoundingClientRect().height)}`)"""


def _small_targets(page) -> list[str]:
    """Every link, button and field a finger taps is at least 44 × 44 px (MIIT 适老化, WCAG 2.5.5)."""
    return page.evaluate(SMALL_TARGETS)


def test_no_serious_violation_on_the_worker_pages_and_the_self_sign_in(guarded_page, live_server, world, shoot):
    page = guarded_page
    page.goto(f"{live_server.url}/accounts/login/")
    assert not _serious(page), "login"
    page.fill("#id_login", "liaison")
    page.fill("#id_password", "Correct-Horse-42")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/worker/")
    found = {}
    for path in WORKER_PAGES:
        url = path.format(
            activity=world["activity"].pk,
            venue=world["venue"].pk,
            cadre=world["cadre"].pk,
            community=world["community"].pk,
            last_month=f"{months_back(timezone.localdate(), 1):%Y-%m}",
        )
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, url
        problems = _serious(page) + _small_targets(page)
        if path != "/worker/" and not page.locator(".back a, .kiosk-back a").count():
            problems.append("no way back (a dead end)")
        if problems:
            found[url] = problems
    page.goto(f"{live_server.url}/worker/activities/{world['activity'].pk}/")
    wait_for_sign_in_page(page)
    page.fill("#search", "zgw")
    page.wait_for_selector(".result")
    if problems := _serious(page):
        found["search results"] = problems
    # the liaison opens the person's page from the result (一人一档)
    page.click(".result >> text=档案")
    page.wait_for_selector("h1:has-text('张国伟')")
    assert page.locator("text=走访慰问").is_visible()
    shoot(page, "22-cadre-file")
    assert not found, "\n".join(f"{url}: {problems}" for url, problems in found.items())

    # the room's screen: the liaison issues a link and opens it on the room's PC, where nobody is logged in
    page.goto(f"{live_server.url}/worker/activities/{world['activity'].pk}/screen/")
    page.click("text=打开大屏（生成链接）")
    link = page.locator(".screen-link a").get_attribute("href")
    shoot(page, "21-room-screen-link")
    room_pc = page.context.browser.new_context(viewport={"width": 1280, "height": 800})
    screen = room_pc.new_page()
    screen.goto(link)
    assert not _serious(screen), "room screen"
    # read from a few steps away, so larger still
    for selector in ("h1", ".kiosk-when", ".kiosk-step", ".kiosk-help", ".kiosk-count"):
        size = screen.evaluate(f"parseFloat(getComputedStyle(document.querySelector('{selector}')).fontSize)")
        assert size >= 24, (selector, size)
    assert screen.locator(".kiosk-qr svg").bounding_box()["width"] >= 300
    assert "李秀英" not in screen.inner_text("body")  # a screen in the room shows no names
    assert screen.locator("a").count() == 0  # and links nowhere
    assert not room_pc.cookies(), "the room's PC holds no session"
    shoot(screen, "21-room-screen")
    room_pc.close()

    # the elder's own phone: the QR self sign-in page, large type, nothing timed
    elder = page.context.browser.new_page(viewport={"width": 390, "height": 844})
    elder.goto(f"{live_server.url}/q/{token_for(world['activity'])}/")
    assert not _serious(elder), "self sign-in"
    for selector in ("h1", "label[for=name]", "#name", "#digits", "main button[type=submit]", ".lead"):
        size = elder.evaluate(f"parseFloat(getComputedStyle(document.querySelector('{selector}')).fontSize)")
        assert size >= 18, (selector, size)
    assert elder.locator("meta[http-equiv=refresh]").count() == 0 and elder.locator("img[alt*=验证码]").count() == 0
    elder.fill("#name", "查无此人")
    elder.fill("#digits", "0000")
    elder.click("main button[type=submit]")
    elder.wait_for_selector(".self-sign-in .error")
    assert not _serious(elder), "self sign-in, refused"
    assert elder.input_value("#name") == "查无此人"  # a typo is corrected, not typed again
    shoot(elder, "20-self-sign-in-large-type")
    elder.close()
