"""The three administrators in Chromium: the system administrator opens an account with a role and a scope,
the auditor reads who did it; error pages and an expired htmx session on a phone."""

import pytest
from django.contrib.sessions.models import Session

from accounts.models import Role, StaffScope
from communities.models import AuditEvent
from tests.conftest import make_user
from tests.e2e.conftest import wait_for_service_worker
from tests.factories import ActivityFactory, CommunityFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Correct-Horse-42"


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")


def test_the_system_administrator_opens_an_account_and_the_auditor_reads_it(guarded_page, live_server, shoot):
    page = guarded_page
    page.set_viewport_size({"width": 1280, "height": 900})
    community = CommunityFactory(name="桃花山社区")
    make_user(Role.SYSADMIN, username="sam")
    make_user(Role.AUDITOR, username="audrey")

    _login(page, live_server, "sam")
    page.wait_for_url(f"{live_server.url}/admin/")
    shoot(page, "admin-01-sysadmin-home")
    assert "离退休干部" not in page.content()  # no roster for the system administrator

    page.goto(f"{live_server.url}/admin/auth/user/add/")
    page.fill("#id_username", "erin")
    page.fill("#id_password1", "Temp-Pass-2026x")
    page.fill("#id_password2", "Temp-Pass-2026x")
    page.check(f"input[name=groups][value='{_group_pk(Role.COMMUNITY)}']")
    shoot(page, "admin-02-new-account")
    page.click("input[name=_continue]")
    page.wait_for_url("**/change/")
    page.select_option("#id_staff_scope-0-level", "community")
    page.evaluate(
        "([pk, name]) => { const s = document.querySelector('#id_staff_scope-0-community');"
        " s.add(new Option(name, pk, true, true)); }",
        [str(community.pk), community.name],
    )
    page.click("input[name=_save]")
    page.wait_for_url(f"{live_server.url}/admin/auth/user/")
    shoot(page, "admin-03-accounts")
    assert StaffScope.objects.get(user__username="erin").community_id == community.pk
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCOUNT_CHANGED, target="erin", username="sam").exists()

    page.click("text=退出") if page.locator("text=退出").count() else None
    page.context.clear_cookies()
    _login(page, live_server, "audrey")
    page.wait_for_url(f"{live_server.url}/admin/communities/auditevent/")
    shoot(page, "admin-04-audit-trail")
    assert "erin" in page.content()
    erin = StaffScope.objects.get(user__username="erin").user_id
    page.goto(f"{live_server.url}/admin/auth/user/{erin}/history/")
    shoot(page, "admin-05-account-history")
    assert "开设账号" in page.content() and "变更账号" in page.content() and "sam" in page.content()


def _group_pk(role):
    from django.contrib.auth.models import Group

    return Group.objects.get(name=role).pk


def test_error_pages_and_an_expired_session_on_a_phone(guarded_page, live_server, shoot):
    page = guarded_page
    community = CommunityFactory()
    activity = ActivityFactory(community=community)
    worker = make_user(Role.COMMUNITY, community=community, username="liaison")
    make_user(Role.LEADER, username="dave")
    assert worker.pk

    # the error pages render in the portal's layout at phone width (fetched, then shown, so the browser's
    # own note on a 404 response is not mistaken for an error of the page)
    for path, name in (("/no-such-page/", "errors-02-not-found"), ("/worker/", "errors-03-forbidden")):
        if path == "/worker/":
            _login(page, live_server, "dave")
            page.wait_for_url(f"{live_server.url}/dashboard/")
        response = page.request.get(f"{live_server.url}{path}")
        assert response.status in (403, 404)
        page.set_content(response.text().replace('href="/static/', f'href="{live_server.url}/static/'))
        shoot(page, name)
        assert "返回首页" in page.content()
    page.context.clear_cookies()
    _login(page, live_server, "liaison")
    page.wait_for_url(f"{live_server.url}/worker/")
    page.goto(f"{live_server.url}/worker/activities/{activity.pk}/")
    # the page's own requests are back first (the roster, the service worker's script): each renews the cookie
    page.wait_for_selector("[data-roster-ready]")
    wait_for_service_worker(page)
    Session.objects.all().delete()  # the session ends while the liaison is on the page (the server forgets it)
    page.context.clear_cookies()
    page.fill("input[name=q]", "zgw")
    page.wait_for_url(lambda url: "/accounts/login/" in url)
    assert f"next=/worker/activities/{activity.pk}/" in page.url
    shoot(page, "errors-01-session-ended-back-to-login")
