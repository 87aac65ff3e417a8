"""Finding 14: error pages are Chinese, in the portal's layout, with a way home and nothing technical."""

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import Role
from tests.conftest import make_user
from tests.factories import ActivityFactory, CommunityFactory

pytestmark = pytest.mark.django_db

TECHNICAL = (
    "Traceback",
    "Exception",
    "Not Found",
    "Forbidden",
    "Server Error",
    "CSRF verification failed",
    "Bad Request",
    'File "',
    "django",
)


def _is_portal_error_page(response, status, heading):
    page = response.content.decode()
    assert response.status_code == status
    assert heading in page, page[:500]
    assert 'href="/"' in page and "返回首页" in page
    for word in TECHNICAL:
        assert word not in page, word
    assert response["Content-Type"].startswith("text/html")


def test_404_is_a_chinese_page_with_a_way_home(client):
    _is_portal_error_page(client.get("/no-such-page/"), 404, "找不到页面")
    client.force_login(make_user(Role.BUREAU))
    _is_portal_error_page(client.get("/no-such-page/"), 404, "找不到页面")
    _is_portal_error_page(client.get("/admin/cadres/cadre/999999/change/"), 404, "找不到页面")


def test_403_is_a_chinese_page_that_says_why(client):
    client.force_login(make_user(Role.LEADER))
    response = client.get("/worker/")
    _is_portal_error_page(response, 403, "没有权限")
    assert "角色" in response.content.decode()


def test_400_is_a_chinese_page(client):
    _is_portal_error_page(client.get("/", HTTP_HOST="evil.example"), 400, "请求有误")


def test_500_is_a_chinese_page_that_leaks_nothing(monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(make_user(Role.LEADER))

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail /srv/portal/settings.py")

    monkeypatch.setattr("portal.views.WeeklyReminder.objects.for_user", broken)
    response = client.get("/reminders/")
    _is_portal_error_page(response, 500, "系统出错了")
    assert "secret internal detail" not in response.content.decode()


def test_a_csrf_failure_is_a_chinese_page_that_says_nothing_was_saved():
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.BUREAU))
    response = client.post("/accounts/logout/")
    _is_portal_error_page(response, 403, "页面已过期")
    assert "没有保存任何内容" in response.content.decode()


def test_an_htmx_request_after_the_session_ended_sends_the_page_to_the_login(client):
    activity = ActivityFactory(community=CommunityFactory())
    page = f"/worker/activities/{activity.pk}/"
    response = client.get(
        f"{page}search/", {"q": "zgw"}, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver{page}"
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/accounts/login/?next={page}"
    assert b"<html" not in response.content  # nothing injected into the list


def test_every_page_carries_the_htmx_error_region(client):
    community = CommunityFactory()
    client.force_login(make_user(Role.COMMUNITY, community=community))
    page = client.get("/worker/").content.decode()
    assert 'id="htmx-error"' in page and "js/portal.js" in page
    assert "网络连接中断" in page


def test_error_pages_are_not_cached(client):
    response = client.get("/no-such-page/")
    assert response["Cache-Control"] == "no-store, private"


def test_an_office_of_31_behind_one_address_logs_in_at_nine(client):
    cache.clear()
    office = [make_user(Role.LEADER) for _ in range(31)]
    for person in office:
        client.logout()
        response = client.post(
            "/accounts/login/", {"login": person.username, "password": "Correct-Horse-42"}, REMOTE_ADDR="10.8.0.1"
        )
        assert response.status_code == 302, person.username


def test_a_rate_limit_answers_the_portals_own_page_in_chinese(client, settings):
    cache.clear()
    settings.ACCOUNT_RATE_LIMITS = {"login": "2/m/ip"}
    for _ in range(3):
        response = client.post("/accounts/login/", {"login": "nobody", "password": "x"}, REMOTE_ADDR="10.8.0.2")
    assert response.status_code == 429
    text = response.content.decode()
    assert "操作太频繁" in text and "Too Many" not in text and "Traceback" not in text
