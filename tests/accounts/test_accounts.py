"""Accounts end to end through the test client: lockout, mobile login, password policy, idle timeout, TOTP."""

import datetime
from unittest import mock

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.utils import timezone

from accounts.models import Role, StaffProfile
from communities.models import AuditEvent
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-42"
NEW_PASSWORD = "Winter-Plum-2026!"


def _login(client, login, password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"login": login, "password": password}, **extra)


def test_five_failed_logins_lock_the_account_for_30_minutes(client):
    user = make_user(Role.COMMUNITY, username="carol", community=None)
    for _ in range(5):
        response = _login(client, "carol", "wrong-password", HTTP_USER_AGENT="Tester/1.0", REMOTE_ADDR="10.1.2.3")
        assert response.status_code == 200
    response = _login(client, "carol")
    assert response.status_code == 200
    assert "账号已锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(kind="login_failed", username="carol").count() == 5
    lockout = AuditEvent.objects.get(kind="lockout")
    assert (lockout.username, lockout.ip_address, lockout.user_agent) == ("carol", "10.1.2.3", "Tester/1.0")

    later = timezone.now() + datetime.timedelta(minutes=31)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = _login(client, "carol")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_four_failures_then_the_right_password_logs_in_and_resets_the_count(client):
    make_user(Role.LEADER, username="dave")
    for _ in range(4):
        _login(client, "dave", "wrong-password")
    assert _login(client, "dave").status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        _login(client, "dave", "wrong-password")
    assert _login(client, "dave").status_code == 302


def test_a_lockout_cannot_be_dodged_by_logging_in_with_the_mobile_number(client):
    user = make_user(Role.LEADER, username="dave")
    StaffProfile.objects.create(user=user, mobile="13900001234", must_change_password=False)
    for login in ["dave", "13900001234", "dave", "13900001234", "dave"]:
        _login(client, login, "wrong-password")
    assert "账号已锁定" in _login(client, "13900001234").content.decode()


def test_a_mobile_number_logs_in_like_the_username(client):
    user = make_user(Role.LEADER, username="dave")
    StaffProfile.objects.create(user=user, mobile="13900001234", must_change_password=False)
    response = _login(client, "139 0000 1234")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_logins_and_logouts_are_audited_with_ip_and_browser(client):
    make_user(Role.LEADER, username="dave")
    _login(client, "dave", HTTP_USER_AGENT="Mozilla/5.0 (Phone)", REMOTE_ADDR="192.0.2.8")
    client.post("/accounts/logout/", HTTP_USER_AGENT="Mozilla/5.0 (Phone)", REMOTE_ADDR="192.0.2.8")
    kinds = list(AuditEvent.objects.order_by("at", "pk").values_list("kind", "username", "ip_address", "user_agent"))
    assert kinds == [
        ("login", "dave", "192.0.2.8", "Mozilla/5.0 (Phone)"),
        ("logout", "dave", "192.0.2.8", "Mozilla/5.0 (Phone)"),
    ]


def test_an_account_made_by_the_system_administrator_must_change_its_password_at_first_login(client):
    sysadmin = make_user(Role.SYSADMIN, username="sam")
    client.force_login(sysadmin)
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "erin",
            "password1": "Temp-Pass-2026",
            "password2": "Temp-Pass-2026",
            "usable_password": "true",
            "staff_scope-TOTAL_FORMS": "0",
            "staff_scope-INITIAL_FORMS": "0",
            "staff_profile-TOTAL_FORMS": "0",
            "staff_profile-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.post("/accounts/logout/")

    assert _login(client, "erin", "Temp-Pass-2026").status_code == 302
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/password/change/")
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "Temp-Pass-2026", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 403  # no role yet: the "no role" page, no longer held
    assert StaffProfile.objects.get(user__username="erin").must_change_password is False


def test_a_password_older_than_90_days_must_be_changed(client):
    user = make_user(Role.LEADER, username="dave")
    StaffProfile.objects.create(
        user=user, must_change_password=False, password_changed_at=timezone.now() - datetime.timedelta(days=91)
    )
    client.force_login(user)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/password/change/")


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1A!", "太短"),
        ("alllowercaseletters", "至少3类"),
        ("dave-the-leader-1", "相似"),
        ("Password123", "常见"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(client, password, reason):
    user = make_user(Role.LEADER, username="dave-the-leader")
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/", {"oldpassword": PASSWORD, "password1": password, "password2": password}
    )
    assert response.status_code == 200
    assert reason in response.content.decode()


def test_an_idle_session_ends_after_30_minutes(client):
    user = make_user(Role.LEADER, username="dave")
    _login(client, "dave")
    assert client.get("/dashboard/").status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert user.pk  # the account itself is untouched


def _totp_code(secret):
    counter = int(timezone.now().timestamp()) // 30
    return format_hotp_value(hotp_value(secret, counter))


def test_a_bureau_account_must_set_up_totp_and_then_needs_a_code_at_login(client, settings):
    settings.MFA_REQUIRED = True
    make_user(Role.BUREAU, username="alice")
    assert _login(client, "alice").status_code == 302

    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/totp/activate/"
    # allauth asks for the password once more before a second factor is added
    response = client.get(response.url)
    assert response.url.startswith("/accounts/reauthenticate/")
    assert client.post(response.url, {"password": PASSWORD}).status_code == 302
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post("/accounts/2fa/totp/activate/", {"code": _totp_code(secret)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200

    client.post("/accounts/logout/")
    cache.clear()  # the code above was used once; a fresh one would come from the phone
    response = _login(client, "alice")
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    response = client.post("/accounts/2fa/authenticate/", {"code": _totp_code(secret)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_leader_is_not_asked_for_totp(client, settings):
    settings.MFA_REQUIRED = True
    make_user(Role.LEADER, username="dave")
    _login(client, "dave")
    assert client.get("/dashboard/").status_code == 200


def test_only_the_auditor_group_reads_the_audit_screen_and_nobody_edits_it(client):
    from django.contrib.auth.models import Group

    from core.audit import record_event

    event = record_event(kind="export", username="alice", rows=12, filters={"community": "1"})
    bureau = make_user(Role.BUREAU, username="alice")
    client.force_login(bureau)
    assert client.get("/admin/communities/auditevent/").status_code == 403

    bureau.groups.add(Group.objects.get(name="auditor"))
    client.force_login(bureau)
    response = client.get("/admin/communities/auditevent/", {"kind__exact": "export"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [event]
    assert client.get(f"/admin/communities/auditevent/{event.pk}/delete/").status_code == 403
    assert client.post(f"/admin/communities/auditevent/{event.pk}/change/", {"rows": 1}).status_code == 403
    assert client.get("/admin/communities/auditevent/add/").status_code == 403
    event.refresh_from_db()
    assert event.rows == 12


def test_the_change_history_of_a_cadre_is_for_auditors_only(client):
    from django.contrib.auth.models import Group

    from tests.factories import CadreFactory

    cadre = CadreFactory()
    bureau = make_user(Role.BUREAU, username="alice")
    client.force_login(bureau)
    assert client.get(f"/admin/cadres/cadre/{cadre.pk}/history/").status_code == 403
    bureau.groups.add(Group.objects.get(name="auditor"))
    client.force_login(bureau)
    assert client.get(f"/admin/cadres/cadre/{cadre.pk}/history/").status_code == 200
