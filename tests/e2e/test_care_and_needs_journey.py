"""The liaison's care and needs journey on a phone: an overdue visit raises a need, the need is dispatched to a
silver talent and resolved, service hours go into the time bank and the statement prints."""

import datetime

import pytest

from accounts.models import Role
from activities.models import Need, ServiceRecord
from cadres.models import TalentCategory, Visit
from tests.conftest import make_user
from tests.factories import CadreFactory, CareCaseFactory, CommunityFactory, TalentFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def community():
    community = CommunityFactory(name="桃花山社区")
    CareCaseFactory(
        cadre=CadreFactory(community=community, name="刘秀英", phone="13800001111"),
        opened_on=datetime.date(2026, 1, 5),
        reason_lives_alone=True,
        responsible="王联络",
    )
    TalentFactory(
        cadre=CadreFactory(community=community, name="张国伟", phone="13800002222"),
        category=TalentCategory.CULTURE,
        specialty="智能手机教学",
    )
    worker = make_user(Role.COMMUNITY, community=community, username="liaison")
    worker.first_name = "王联络"
    worker.set_password("Correct-Horse-42")
    worker.save()
    return community


def test_a_visit_raises_a_need_that_a_talent_takes_and_hours_are_credited(guarded_page, live_server, community, shoot):
    page = guarded_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", "liaison")
    page.fill("#id_password", "Correct-Horse-42")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/worker/")
    assert "逾期1人" in page.inner_text("nav.home-links")
    shoot(page, "21-worker-home-with-reminders")

    page.click("text=走访提醒")
    assert "刘秀英" in page.inner_text("li.overdue")
    shoot(page, "22-care-overdue")
    page.click("li.overdue a.title")
    page.fill("#id_visitors", "王联络")
    page.fill("#id_summary", "身体尚可，想学用智能手机和子女视频。")
    page.check("#id_raise_need")
    page.fill("#id_need_title", "学用智能手机视频通话")
    page.select_option("#id_need_category", "culture")
    shoot(page, "23-visit-form")
    page.click("main button[type=submit]")
    page.wait_for_url("**/worker/needs/*/")
    assert Visit.objects.count() == 1 and Need.objects.get().status == "open"
    shoot(page, "24-need-with-suggestions")

    page.click("form.suggestion button")  # 派给TA: the silver talent of the same category
    page.wait_for_selector("text=已派单")
    page.fill("#id_outcome", "张国伟上门教会了视频通话。")
    page.click("button:has-text('已解决')")
    page.wait_for_selector("text=需求已更新为“已解决”")
    need = Need.objects.get()
    assert (need.status, need.taker) == ("resolved", "张国伟")
    shoot(page, "25-need-resolved")

    page.goto(f"{live_server.url}/worker/timebank/")
    page.fill("input[name=q]", "zgw")
    page.wait_for_selector("#pick label.choice")
    page.check("#pick input[type=radio]")
    page.fill("#id_hours", "1.5")
    page.fill("#id_description", "上门教智能手机")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已记入张国伟 1.5小时，15积分")
    assert ServiceRecord.objects.get().points == 15
    shoot(page, "26-time-bank")

    page.click("text=对账单")
    page.wait_for_selector("h1:has-text('时间银行积分对账单')")
    shoot(page, "27-statement")
