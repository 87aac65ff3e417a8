"""Browser tests in real Chromium (Debian's), driven by Playwright; screenshots under var/screenshots/."""

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("REQUIRE_BROWSER is set but Chromium is not installed (apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # a phone: the liaison works with one hand, standing in the Party room
    return {
        **browser_context_args,
        "viewport": {"width": 390, "height": 844},
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    }


@pytest.fixture
def shoot():
    """Save a screenshot of the page under var/screenshots/ (look at them)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name, **options):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, **options)

    return save


@pytest.fixture
def guarded_page(page, live_server):
    """A page that fails the test on a console error or on any request leaving this machine."""
    errors, outside = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    def only_local(route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:")):
            return route.continue_()
        outside.append(url)
        return route.abort()

    page.route("**/*", only_local)
    yield page
    assert not outside, f"requests left 127.0.0.1: {outside}"
    assert not errors, f"console errors: {errors}"


# page.evaluate waits for its promise without a timeout: every wait on the page's own promises is bounded here
SERVICE_WORKER_READY = """(ms) => Promise.race([
  navigator.serviceWorker.ready.then(() => true),
  new Promise((resolve) => setTimeout(() => resolve(false), ms)),
])"""


def wait_for_service_worker(page, timeout_ms: int = 15_000) -> bool:
    """Whether the page's service worker became active (it keeps the page for offline use) within the time."""
    return page.evaluate(SERVICE_WORKER_READY, timeout_ms)


def wait_for_sign_in_page(page) -> None:
    """The activity page's scripts have run (htmx listens to the search box; the roster has arrived): typing
    before then is lost, and the search shows nothing."""
    page.wait_for_selector("[data-roster-ready]")
