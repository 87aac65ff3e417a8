"""Finding 8: in production everyone who can export or see unmasked personal data logs in with TOTP;
a wrong code is audited and counts toward the lockout like a wrong password."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.core.cache import cache
from django.utils import timezone

from accounts.models import Role
from accounts.services import needs_two_factor
from communities.models import AuditEvent
from tests.conftest import make_user
from tests.factories import CommunityFactory, UnitFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Correct-Horse-42"
SECRET = "JBSWY3DPEHPK3PXP"


def _code(offset=0):
    return format_hotp_value(hotp_value(SECRET, int(timezone.now().timestamp()) // 30 + offset))


def _user(role):
    community = CommunityFactory()
    if role == Role.STREET:
        return make_user(role, street=community.street)
    if role == Role.COMMUNITY:
        return make_user(role, community=community)
    if role == Role.UNIT:
        return make_user(role, unit=UnitFactory())
    return make_user(role)


@pytest.mark.parametrize(
    "role, required",
    [
        (Role.SYSADMIN, True),
        (Role.BUREAU, True),
        (Role.AUDITOR, True),
        (Role.STREET, True),
        (Role.COMMUNITY, True),
        (Role.LEADER, False),
        (Role.UNIT, True),
    ],
)
def test_who_must_use_two_factor(role, required):
    assert needs_two_factor(_user(role)) is required


@pytest.mark.parametrize("role", [Role.STREET, Role.COMMUNITY, Role.SYSADMIN, Role.AUDITOR])
def test_every_role_that_can_export_or_see_unmasked_data_is_held_at_totp_set_up(client, settings, role):
    settings.MFA_REQUIRED = True
    user = _user(role)
    client.post("/accounts/login/", {"login": user.username, "password": PASSWORD})
    for page in ("/", "/admin/", "/worker/", "/admin/cadres/cadre/export/"):
        response = client.get(page)
        assert response.status_code == 302 and response.url == "/accounts/2fa/totp/activate/", page


def test_two_factor_cannot_be_switched_off_where_it_is_required(client, settings):
    settings.MFA_REQUIRED = True
    user = _user(Role.STREET)
    TOTP.activate(user, SECRET)
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator

    assert get_adapter().can_delete_authenticator(Authenticator.objects.get(user=user)) is False


def _to_totp_stage(client, user):
    cache.clear()
    response = client.post("/accounts/login/", {"login": user.username, "password": PASSWORD})
    assert response.url == "/accounts/2fa/authenticate/"


def test_a_wrong_code_is_audited_and_five_lock_the_account(client, settings):
    settings.MFA_REQUIRED = True
    user = _user(Role.BUREAU)
    TOTP.activate(user, SECRET)
    _to_totp_stage(client, user)
    for _ in range(4):
        response = client.post("/accounts/2fa/authenticate/", {"code": "000000" if _code() != "000000" else "111111"})
        assert response.status_code == 200
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.MFA_FAILED, username=user.username).count() == 4
    client.post("/accounts/2fa/authenticate/", {"code": "000000" if _code() != "000000" else "111111"})
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOCKOUT, username=user.username).exists()
    # the pending login is dropped: even the right code now leads nowhere
    response = client.post("/accounts/2fa/authenticate/", {"code": _code()})
    assert "_auth_user_id" not in client.session
    # and the password alone no longer opens the account
    response = client.post("/accounts/login/", {"login": user.username, "password": PASSWORD})
    assert response.status_code == 200 and "账号已锁定" in response.content.decode()


def test_wrong_codes_and_wrong_passwords_count_together(client, settings):
    settings.MFA_REQUIRED = True
    user = _user(Role.BUREAU)
    TOTP.activate(user, SECRET)
    for _ in range(3):
        client.post("/accounts/login/", {"login": user.username, "password": "wrong-password"})
    client.post("/accounts/login/", {"login": user.username, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": "000000" if _code() != "000000" else "111111"})
    client.post("/accounts/2fa/authenticate/", {"code": "000000" if _code() != "000000" else "111111"})
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOCKOUT, username=user.username).exists()
