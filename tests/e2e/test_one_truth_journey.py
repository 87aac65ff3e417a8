"""One month, one truth, in the browser: after the 1st's ledger was built, a liaison's phone syncs a batch of taps
made without signal into last month; the street sees the month's figures change before approving; the district
accepts; the dashboard, the ledger download and the accepted figures show the same numbers; and an admin edit
and an admin delete in the locked month are refused with the lock's message."""

import datetime

import openpyxl
import pytest
from django.utils import timezone

from accounts.models import Role
from activities.models import Activity, SignIn
from approvals.models import MonthApproval
from core.dates import local_midnight, month_start, months_back
from portal.ledger_runs import build_month
from portal.models import CompletenessRule, LedgerReport
from portal.tasks import rebuild_changed_months
from tests.conftest import make_user
from tests.e2e.conftest import wait_for_service_worker
from tests.factories import ActivityFactory, CadreFactory, CommunityFactory, SignInFactory, StreetFactory, VenueFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Correct-Horse-42"
LAST_MONTH = months_back(month_start(timezone.localdate()), 1)
MONTH = f"{LAST_MONTH:%Y-%m}"
PEOPLE = [("王建国", "wjg"), ("李秀英", "lxy")]


@pytest.fixture
def last_month():
    CompletenessRule.objects.update(is_active=False)
    street = StreetFactory(name="明水街道")
    community = CommunityFactory(street=street, name="桃花山社区")
    for name, _initials in PEOPLE:
        CadreFactory(community=community, name=name)
    at = local_midnight(LAST_MONTH) + datetime.timedelta(days=27, hours=9)
    activity = ActivityFactory(
        community=community,
        venue=VenueFactory(community=community, name="桃花山党员活动室"),
        title="月末主题党日",
        starts_at=at,
        ends_at=at + datetime.timedelta(hours=2),
    )
    SignInFactory(activity=activity, cadre=CadreFactory(community=community, name="张国伟"))
    for username, role, place in (
        ("liaison", Role.COMMUNITY, {"community": community}),
        ("jiedao", Role.STREET, {"street": street}),
        ("quju", Role.BUREAU, {}),
        ("lingdao", Role.LEADER, {}),
    ):
        user = make_user(role, username=username, **place)
        user.set_password(PASSWORD)
        user.save()
    build_month(month=LAST_MONTH, trigger="beat")  # the 1st's ledgers: one sign-in
    return community, activity


def _log_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _figure(page, label):
    return page.locator(f"#live-figures div:has(dt:text-is('{label}')) dd").inner_text().strip()


def _ledger_sign_ins(page, live_server, community):
    """The community's ledger as downloaded: the 概况 sheet's 签到人次."""
    report = LedgerReport.objects.get(kind="month", level="community", community=community, period_start=LAST_MONTH)
    page.goto(f"{live_server.url}/ledgers/")
    page.screenshot(path="var/screenshots/one-truth-ledger-list.png", full_page=True)
    with page.expect_download() as download:
        page.locator(f"a[href='/ledgers/{report.pk}/download/']").dispatch_event("click")
    saved = f"var/screenshots/one-truth-ledger-{community.pk}.xlsx"
    download.value.save_as(saved)
    workbook = openpyxl.load_workbook(saved, read_only=True)
    for row in workbook.worksheets[0].iter_rows(values_only=True):
        if row and row[0] == "签到人次":
            return row[2]
    raise AssertionError("no 签到人次 in the ledger")


def test_a_late_batch_changes_the_month_before_it_is_signed_and_the_signed_month_is_one_truth(
    guarded_page, live_server, last_month, shoot, context
):
    page = guarded_page
    community, activity = last_month
    month_page = f"{live_server.url}/ledgers/approvals/{community.pk}/{MONTH}/"

    # the street looks at the month before the community submits it: one sign-in
    _log_in(page, live_server, "jiedao")
    page.goto(month_page)
    assert _figure(page, "签到人次") == "1"

    # the liaison's phone had no signal at the month's last 主题党日: two taps kept on the phone, sent now
    _log_in(page, live_server, "liaison")
    page.goto(f"{live_server.url}/worker/activities/{activity.pk}/")
    page.wait_for_selector("[data-offline][data-roster-ready]")
    assert wait_for_service_worker(page)
    page.reload()
    page.wait_for_selector("[data-offline][data-roster-ready]")
    context.set_offline(True)
    page.wait_for_selector("#offline-status:has-text('没有网络')")
    for name, initials in PEOPLE:
        page.fill("#search", initials)
        button = page.locator(f"#results button[data-name='{name}']")
        button.wait_for()
        button.click()
        page.wait_for_selector(f"#book-list li.pending:has-text('{name}')")
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#offline-status:has-text('已全部发送')")
    assert SignIn.objects.filter(activity=activity).count() == 3
    shoot(page, "one-truth-1-late-batch-synced")
    # the others work on their own computers: this browser forgets the liaison's phone's offline worker
    page.evaluate("navigator.serviceWorker.getRegistrations().then(rs => Promise.all(rs.map(r => r.unregister())))")

    # the street sees the month change before approving; the sweeper's next minute rebuilds the ledger
    _log_in(page, live_server, "jiedao")
    page.goto(month_page)
    assert _figure(page, "签到人次") == "3"
    shoot(page, "one-truth-2-street-sees-the-change")
    rebuild_changed_months()
    assert _ledger_sign_ins(page, live_server, community) == 3

    # up the hierarchy
    _log_in(page, live_server, "liaison")
    page.goto(month_page)
    page.click("button[value=submit]")
    assert page.inner_text("#approval-state") == "待街道审核"
    _log_in(page, live_server, "jiedao")
    page.goto(month_page)
    page.click("button[value=approve]")
    _log_in(page, live_server, "quju")
    page.goto(month_page)
    page.click("button[value=accept]")
    assert page.inner_text("#approval-state") == "区已审定"
    approval = MonthApproval.objects.get(community=community, month=LAST_MONTH)
    assert approval.figures["sign_ins"] == 3

    # the dashboard (live and approved), the ledger download and the accepted figures: one number
    _log_in(page, live_server, "lingdao")
    page.goto(f"{live_server.url}/dashboard/?month={MONTH}&community={community.pk}")
    assert (
        "本月签到人次\n3" in page.inner_text("main").replace("\t", "\n")
        or page.locator("section.card.figure:has(h2:text-is('本月签到人次')) p.big").inner_text() == "3"
    )
    page.goto(f"{live_server.url}/dashboard/?month={MONTH}&community={community.pk}&figures=approved")
    assert page.locator("#approved-figures div:has(dt:text-is('签到人次')) dd").inner_text().startswith("3")
    shoot(page, "one-truth-3-leader-approved-view")

    # the ledger rebuilt at acceptance, as the bureau downloads it; its admin cannot change the month behind its back
    _log_in(page, live_server, "quju")
    assert _ledger_sign_ins(page, live_server, community) == 3
    page.goto(f"{live_server.url}/admin/activities/activity/{activity.pk}/change/")
    page.fill("#id_title", "改过的标题")
    page.click("input[name=_save]")
    assert "已审定锁定" in page.inner_text("ul.messagelist")
    shoot(page, "one-truth-4-admin-edit-refused")
    line = SignIn.objects.filter(activity=activity).first()
    page.goto(f"{live_server.url}/admin/activities/signin/{line.pk}/delete/")
    page.click("input[type=submit]")
    assert "已审定锁定" in page.inner_text("ul.messagelist")
    shoot(page, "one-truth-5-admin-delete-refused")
    assert Activity.objects.get(pk=activity.pk).title == "月末主题党日"
    assert SignIn.objects.filter(activity=activity).count() == 3
