"""Finding 7: account flows an intranet portal does not use are gone; a new password repeats none of the last."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.models import Role, StaffProfile
from tests.conftest import make_user
from tests.factories import CommunityFactory

pytestmark = pytest.mark.django_db

CLOSED = [
    "account_signup",
    "account_email",
    "account_reset_password",
    "account_reset_password_done",
    "account_set_password",
    "account_confirm_login_code",
    "account_reset_password_from_key_done",
]


@pytest.mark.parametrize("name", CLOSED)
def test_self_service_account_pages_are_closed_to_everyone(client, name):
    url = reverse(name)
    for user in (None, make_user(Role.BUREAU)):
        if user:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == 404
        assert "请联系系统管理员" in response.content.decode()
        assert client.post(url, {"email": "a@example.com"}).status_code == 404


def test_adding_an_email_address_is_not_possible(client):
    user = make_user(Role.BUREAU)
    client.force_login(user)
    client.post("/accounts/email/", {"action_add": "", "email": "me@example.com"})
    from allauth.account.models import EmailAddress

    assert not EmailAddress.objects.exists()


def _change(client, old, new):
    cache.clear()  # allauth limits password changes per minute; this test makes a dozen
    return client.post("/accounts/password/change/", {"oldpassword": old, "password1": new, "password2": new})


def test_a_forced_change_refuses_the_current_password_and_the_last_five(client):
    user = make_user(Role.COMMUNITY, community=CommunityFactory())
    StaffProfile.objects.create(user=user, must_change_password=True)
    client.force_login(user)
    current = "Correct-Horse-42"
    response = _change(client, current, current)
    assert response.status_code == 200 and "不能与当前密码" in response.content.decode()

    used = [f"Plum-Blossom-{n}x!" for n in range(6)]
    for password in used:
        response = _change(client, current, password)
        assert response.status_code == 302 and "login" not in response.url, password
        user.refresh_from_db()
        client.force_login(user)
        current = password
    # the current one and the five before it are refused; the sixth back is allowed again
    for password in used:
        response = _change(client, current, password)
        assert response.status_code == 200 and "不能与当前密码" in response.content.decode(), password
    response = _change(client, current, "Correct-Horse-42")
    assert response.status_code == 302 and "login" not in response.url
