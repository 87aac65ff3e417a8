"""Finding 2: the three administrators (三员分立) — accounts, business data and the audit trail never overlap."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.models import Role, StaffScope
from communities.models import AuditEvent
from tests.conftest import make_user
from tests.factories import CadreFactory, CommunityFactory, StreetFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def _change_form(user, **changes):
    """The POST of the account page as the admin renders it, with ``changes`` applied."""
    scope = StaffScope.objects.filter(user=user).first()
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": "on" if user.is_active else "",
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
        "staff_scope-TOTAL_FORMS": "1" if scope else "0",
        "staff_scope-INITIAL_FORMS": "1" if scope else "0",
        "staff_profile-TOTAL_FORMS": "0",
        "staff_profile-INITIAL_FORMS": "0",
    }
    if scope:
        data.update(
            {
                "staff_scope-0-id": str(scope.pk),
                "staff_scope-0-user": str(user.pk),
                "staff_scope-0-level": scope.level,
                "staff_scope-0-street": scope.street_id or "",
                "staff_scope-0-community": scope.community_id or "",
            }
        )
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_the_bureau_cannot_open_accounts_or_grant_roles(client):
    bureau = make_user(Role.BUREAU)
    client.force_login(bureau)
    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get(f"/admin/auth/user/{bureau.pk}/change/").status_code == 403
    response = client.post(f"/admin/auth/user/{bureau.pk}/change/", _change_form(bureau, is_superuser="on"))
    assert response.status_code == 403
    bureau.refresh_from_db()
    assert not bureau.is_superuser
    assert list(bureau.groups.values_list("name", flat=True)) == ["bureau"]


def test_the_system_administrator_reads_no_roster(client):
    cadre = CadreFactory()
    client.force_login(make_user(Role.SYSADMIN))
    for url in (
        "/admin/cadres/cadre/",
        f"/admin/cadres/cadre/{cadre.pk}/change/",
        "/admin/cadres/cadre/export/",
        "/admin/cadres/carecase/",
        "/admin/activities/signin/",
        "/worker/",
        "/dashboard/",
        "/ledgers/",
    ):
        assert client.get(url).status_code == 403, url


def test_the_auditor_reads_the_trail_and_nothing_else(client):
    cadre = CadreFactory()
    client.force_login(make_user(Role.AUDITOR))
    assert client.get("/admin/communities/auditevent/").status_code == 200
    assert client.get(f"/admin/cadres/cadre/{cadre.pk}/history/").status_code == 200
    for url in ("/admin/cadres/cadre/", "/admin/cadres/cadre/export/", "/admin/auth/user/add/", "/dashboard/"):
        assert client.get(url).status_code == 403, url


def test_nobody_changes_their_own_role_scope_or_active_flag(client):
    sysadmin = make_user(Role.SYSADMIN)
    client.force_login(sysadmin)
    bureau_group = Group.objects.get(name=Role.BUREAU)
    page = client.get(f"/admin/auth/user/{sysadmin.pk}/change/").content.decode()
    assert 'name="groups"' not in page and 'name="is_active"' not in page  # shown read-only
    client.post(
        f"/admin/auth/user/{sysadmin.pk}/change/", _change_form(sysadmin, groups=[str(bureau_group.pk)], is_active="")
    )
    sysadmin.refresh_from_db()
    assert list(sysadmin.groups.values_list("name", flat=True)) == ["sysadmin"]
    assert sysadmin.is_active
    assert StaffScope.objects.get(user=sysadmin).level == StaffScope.Level.DISTRICT
    assert client.get(f"/admin/auth/user/{sysadmin.pk}/password/").status_code == 403


def test_superuser_is_never_granted_from_a_screen(client):
    client.force_login(make_user(Role.SYSADMIN))
    worker = make_user(Role.COMMUNITY, community=CommunityFactory())
    client.post(f"/admin/auth/user/{worker.pk}/change/", _change_form(worker, is_superuser="on", is_staff="on"))
    worker.refresh_from_db()
    assert not worker.is_superuser and not worker.is_staff  # staff follows the role


def test_an_account_holds_one_role(client):
    client.force_login(make_user(Role.SYSADMIN))
    worker = make_user(Role.COMMUNITY, community=CommunityFactory())
    auditor = Group.objects.get(name=Role.AUDITOR)
    response = client.post(
        f"/admin/auth/user/{worker.pk}/change/",
        _change_form(worker, groups=[str(worker.groups.get().pk), str(auditor.pk)]),
    )
    assert response.status_code == 200 and "只能有一个角色" in response.content.decode()
    assert list(worker.groups.values_list("name", flat=True)) == ["community"]


def test_every_account_change_is_audited_with_before_and_after(client):
    sysadmin = make_user(Role.SYSADMIN, username="sam")
    client.force_login(sysadmin)
    street = StreetFactory()
    worker = make_user(Role.COMMUNITY, community=CommunityFactory(street=street), username="erin")
    street_group = Group.objects.get(name=Role.STREET)
    response = client.post(
        f"/admin/auth/user/{worker.pk}/change/",
        _change_form(
            worker,
            groups=[str(street_group.pk)],
            **{"staff_scope-0-level": "street", "staff_scope-0-street": str(street.pk), "staff_scope-0-community": ""},
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ACCOUNT_CHANGED, target="erin")
    assert event.username == "sam"
    assert event.detail["before"]["roles"] == ["community"] and event.detail["after"]["roles"] == ["street"]
    assert event.detail["before"]["scope"] != event.detail["after"]["scope"]
    assert event.detail["after"]["is_staff"] is True

    client.post(f"/admin/auth/user/{worker.pk}/change/", _change_form(User.objects.get(pk=worker.pk), is_active=""))
    deactivated = AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCOUNT_CHANGED, target="erin").first()
    assert deactivated.detail["changed"] == ["is_active"]

    client.post(
        f"/admin/auth/user/{worker.pk}/password/",
        {"password1": "Temp-Pass-2027x", "password2": "Temp-Pass-2027x", "usable_password": "true"},
    )
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PASSWORD_RESET, target="erin", username="sam").exists()


def test_the_auditor_reads_an_accounts_history(client):
    sysadmin = make_user(Role.SYSADMIN, username="sam")
    worker = make_user(Role.COMMUNITY, community=CommunityFactory(), username="erin")
    client.force_login(sysadmin)
    client.post(f"/admin/auth/user/{worker.pk}/change/", _change_form(worker, first_name="小林"))
    client.force_login(make_user(Role.AUDITOR))
    page = client.get(f"/admin/auth/user/{worker.pk}/history/")
    assert page.status_code == 200 and "小林" in page.content.decode()
    assert client.get(f"/admin/accounts/staffscope/{StaffScope.objects.get(user=worker).pk}/change/").status_code == 200


def test_the_system_administrator_unlocks_a_locked_account(client):
    from django.utils import timezone

    from accounts.adapters import locked_until
    from accounts.models import LoginThrottle

    worker = make_user(Role.COMMUNITY, community=CommunityFactory(), username="erin")
    LoginThrottle.objects.create(name="erin", locked_until=timezone.now() + timezone.timedelta(minutes=20))
    assert locked_until("erin") is not None
    client.force_login(make_user(Role.SYSADMIN))
    client.post("/admin/auth/user/", {"action": "unlock", "_selected_action": [worker.pk]})
    assert locked_until("erin") is None
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.UNLOCKED, target="erin").exists()


def test_seed_demo_has_the_three_administrators(db):
    from demo.builder import ensure_demo_accounts

    CommunityFactory()
    ensure_demo_accounts()
    roles = {user.username: list(user.groups.values_list("name", flat=True)) for user in User.objects.all()}
    assert roles["sysadmin"] == ["sysadmin"] and roles["auditor"] == ["auditor"] and roles["bureau"] == ["bureau"]


def test_the_first_system_administrator_is_made_from_the_command_line(monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("Temp-Pass-2026x\n"))
    call_command("create_sysadmin", "root-admin", "--password-stdin", stdout=io.StringIO())
    user = User.objects.get(username="root-admin")
    assert list(user.groups.values_list("name", flat=True)) == ["sysadmin"]
    assert user.is_staff and not user.is_superuser and user.staff_profile.must_change_password
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCOUNT_CREATED, target="root-admin").exists()
