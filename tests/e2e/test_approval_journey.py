"""A month's ledger up the hierarchy in the browser: the worker submits it (explaining a failing check), the
street returns it with a reason, the worker corrects and resubmits, the street approves, the district accepts;
then an edit of the locked month is refused with the reason, and the dashboard's reporting rate has moved."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Role
from approvals.models import MonthApproval
from core.dates import local_midnight, month_start, months_back
from portal.models import CompletenessRule
from tests.conftest import make_user
from tests.factories import ActivityFactory, CommunityFactory, StreetFactory, VenueFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Correct-Horse-42"
LAST_MONTH = months_back(month_start(timezone.localdate()), 1)


@pytest.fixture
def month_to_report():
    # a transactional test starts from an empty database: the rule is written here, not assumed
    CompletenessRule.objects.update(is_active=False)
    CompletenessRule.objects.update_or_create(
        code=CompletenessRule.Code.ROOMS_USED, defaults={"is_active": True, "threshold": 1}
    )
    street = StreetFactory(name="明水街道")
    community = CommunityFactory(street=street, name="桃花山社区")
    room = VenueFactory(community=community, name="二楼党员活动室")
    VenueFactory(community=community, name="一楼党员活动室")  # not used last month: the check fails
    at = local_midnight(LAST_MONTH) + datetime.timedelta(days=11, hours=9)
    activity = ActivityFactory(
        community=community, venue=room, title="十一月主题党日", starts_at=at, ends_at=at + datetime.timedelta(hours=2)
    )
    for username, role, place in (
        ("liaison", Role.COMMUNITY, {"community": community}),
        ("jiedao", Role.STREET, {"street": street}),
        ("quju", Role.BUREAU, {}),
        ("lingdao", Role.LEADER, {}),
    ):
        user = make_user(role, username=username, **place)
        user.set_password(PASSWORD)
        user.save()
    return community, activity


def _log_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _reporting(page, live_server):
    page.goto(f"{live_server.url}/dashboard/?month={LAST_MONTH:%Y-%m}")  # the month reported
    return page.locator("#reporting").inner_text()


def test_a_month_goes_up_is_returned_corrected_approved_accepted_and_locked(
    guarded_page, live_server, month_to_report, shoot
):
    page = guarded_page
    community, activity = month_to_report
    month = f"{LAST_MONTH:%Y-%m}"

    _log_in(page, live_server, "lingdao")
    before = _reporting(page, live_server)
    assert "区已审定\n0（0.0%）" in before.replace("\t", "\n")

    # the worker: the home says last month is to be submitted; a failing check needs its reason
    _log_in(page, live_server, "liaison")
    page.goto(f"{live_server.url}/worker/")
    page.click("#approval-todos a")
    assert "一楼党员活动室" in page.inner_text("main")
    page.click("button[value=submit]")
    assert "请逐项说明原因" in page.inner_text("#approval-error")
    page.fill("#explain_rooms_used", "一楼活动室漏水维修")
    shoot(page, "approval-1-worker-submits")
    page.click("button[value=submit]")
    assert page.inner_text("#approval-state") == "待街道审核"

    # the street returns it with a reason
    _log_in(page, live_server, "jiedao")
    page.goto(f"{live_server.url}/ledgers/approvals/?month={month}")
    page.click("a.approval-go:has-text('审核')")
    assert "一楼活动室漏水维修" in page.inner_text("main")
    page.fill("#reason", "请写明维修完工日期")
    shoot(page, "approval-2-street-returns")
    page.click("button[value=return_street]")
    assert page.inner_text("#approval-state") == "未提交"

    # the worker reads why, corrects and resubmits
    _log_in(page, live_server, "liaison")
    page.goto(f"{live_server.url}/worker/")
    assert "请写明维修完工日期" in page.inner_text("#approval-todos")
    page.click("#approval-todos a")
    page.fill("#explain_rooms_used", "一楼活动室漏水维修，11月28日完工")
    page.click("button[value=submit]")

    # the street approves, the district accepts from its admin home
    _log_in(page, live_server, "jiedao")
    page.goto(f"{live_server.url}/ledgers/approvals/{community.pk}/{month}/")
    page.click("button[value=approve]")
    assert page.inner_text("#approval-state") == "待区审定"
    _log_in(page, live_server, "quju")
    page.goto(f"{live_server.url}/admin/")
    page.click("#approval-todos a")
    page.click("button[value=accept]")
    assert page.inner_text("#approval-state") == "区已审定"
    shoot(page, "approval-3-district-accepts")
    assert MonthApproval.objects.get(community=community, month=LAST_MONTH).state == "accepted"

    # an edit of the locked month is refused, saying why and who can help
    _log_in(page, live_server, "liaison")
    page.goto(f"{live_server.url}/worker/activities/{activity.pk}/")
    page.fill("#record", "补写一段记录")
    page.click("section.record button[type=submit]")
    assert "已审定锁定" in page.inner_text("ul.messages")
    shoot(page, "approval-4-locked-edit-refused")
    activity.refresh_from_db()
    assert activity.record != "补写一段记录"

    # the leader's reporting rate has moved
    _log_in(page, live_server, "lingdao")
    after = _reporting(page, live_server)
    assert "区已审定\n1（100.0%）" in after.replace("\t", "\n")
    page.locator("#reporting").screenshot(path="var/screenshots/approval-5-reporting-rate.png")
