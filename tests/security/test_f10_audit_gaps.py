"""Finding 10: the audit trail keeps no clear personal numbers, misses no sensitive access, is read by the
auditor (account and scope history included) and is kept at least 180 days."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Role, StaffScope
from communities.models import AuditEvent
from core.audit import AUDIT_RETENTION_DAYS, record_event
from tests.accounts.test_permission_matrix import world  # noqa: F401 - the fixture, shared
from tests.conftest import make_user
from tests.factories import CadreFactory, CommunityFactory

pytestmark = pytest.mark.django_db


def _all_audit_text() -> str:
    return " ".join(f"{e.username} {e.target} {e.detail}" for e in AuditEvent.objects.all())


def test_an_export_filtered_by_a_typed_id_number_keeps_it_masked(client):
    cadre = CadreFactory()
    client.force_login(make_user(Role.BUREAU))
    response = client.post(f"/admin/cadres/cadre/export/?q={cadre.id_number}", {"format": "0", "resource": "0"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert event.detail["filters"]["q"] == cadre.id_number[:3] + "*" * 15
    assert cadre.id_number not in _all_audit_text()


def test_a_mobile_number_typed_at_login_is_kept_masked(client):
    client.post("/accounts/login/", {"login": "13912345678", "password": "wrong-password"})
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.LOGIN_FAILED)
    assert event.username == "139********"
    assert "13912345678" not in _all_audit_text()


def test_opening_a_record_with_unmasked_personal_data_is_audited(client):
    cadre = CadreFactory()
    client.force_login(make_user(Role.BUREAU, username="alice"))
    assert client.get(f"/admin/cadres/cadre/{cadre.pk}/change/").status_code == 200
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.SENSITIVE_VIEW)
    assert (event.username, event.detail["model"], event.detail["object"]) == ("alice", "cadres.Cadre", str(cadre.pk))
    assert set(event.detail["permissions"]) == {"cadres.view_identity", "cadres.view_health"}


def test_a_masked_view_is_not_a_sensitive_access(client):
    cadre = CadreFactory()
    client.force_login(make_user(Role.STREET, street=cadre.community.street))
    client.get(f"/admin/cadres/cadre/{cadre.pk}/change/")
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.SENSITIVE_VIEW).exists()


def test_a_wrong_totp_code_is_in_the_trail(client):
    from allauth.mfa.totp.internal.auth import TOTP

    user = make_user(Role.BUREAU, username="alice")
    TOTP.activate(user, "JBSWY3DPEHPK3PXP")
    client.post("/accounts/login/", {"login": "alice", "password": "Correct-Horse-42"})
    client.post("/accounts/2fa/authenticate/", {"code": "12345"})
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.MFA_FAILED, username="alice").exists()


def test_the_auditor_reads_account_and_scope_history(client):
    worker = make_user(Role.COMMUNITY, community=CommunityFactory(), username="erin")
    record_event(kind=AuditEvent.Kind.ACCOUNT_CHANGED, target="erin", before={"roles": []}, after={"roles": ["x"]})
    client.force_login(make_user(Role.AUDITOR))
    assert client.get(f"/admin/auth/user/{worker.pk}/history/").status_code == 200
    scope = StaffScope.objects.get(user=worker)
    assert client.get(f"/admin/accounts/staffscope/{scope.pk}/history/").status_code == 200
    assert client.get("/admin/communities/auditevent/", {"kind__exact": "account_changed"}).status_code == 200


def test_audit_events_are_kept_at_least_180_days():
    young = record_event(kind=AuditEvent.Kind.LOGIN, username="a")
    old = record_event(kind=AuditEvent.Kind.LOGIN, username="b")
    AuditEvent.objects.filter(pk=young.pk).update(at=timezone.now() - datetime.timedelta(days=AUDIT_RETENTION_DAYS - 1))
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=400))
    with pytest.raises(CommandError):
        call_command("purge_audit", days=AUDIT_RETENTION_DAYS - 1)
    call_command("purge_audit", days=AUDIT_RETENTION_DAYS, stdout=io.StringIO())
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [young.pk]


def test_every_page_that_shows_where_people_live_their_health_or_contacts_is_audited(world):  # noqa: F811
    """Walks every page of the site as the roles that list people; a page that shows a person's home, health,
    care reasons, emergency contact or where a mobile member is writes an audit row when it is opened."""
    from django.test import Client

    from activities.views_members import LISTS
    from tests.accounts.test_permission_matrix import _site_patterns, _url_for

    users, objects = world
    cadre = objects["cadres.Cadre"]
    cadre.health, cadre.address, cadre.emergency_contact_name = "高血压", "幸福路9号", "王紧急"
    cadre.save()
    markers = ("高血压", "幸福路", "王紧急", "深圳市", "独居")
    unit_staff = make_user(Role.UNIT, unit=objects["cadres.Unit"])
    cadre.former_unit = objects["cadres.Unit"]
    cadre.save()
    urls = []
    for pattern in _site_patterns():
        if pattern.startswith(("admin/", "accounts/", "i18n/")):
            continue
        if pattern.startswith("worker/members/list/"):  # every list: the mobile members' places among them
            urls += [_url_for(pattern, objects).replace("unregistered", name) for name in LISTS]
        else:
            urls.append(_url_for(pattern, objects))
    unaudited = []
    shown = 0
    for account in (users["community"], users["street"], users["bureau"], unit_staff):
        client = Client()
        client.force_login(account)
        for url in urls:
            before = AuditEvent.objects.count()
            response = client.get(url)
            if response.status_code != 200 or response.streaming:
                continue
            body = response.content
            text = body.decode(errors="ignore") if body[:2] != b"PK" else ""
            if any(marker in text for marker in markers):
                shown += 1
                if AuditEvent.objects.count() == before:
                    unaudited.append(f"{account.username} {url}")
    assert shown, "the walk found the pages that show the person"
    assert not unaudited, unaudited
    # unit staff list their retirees with the community each lives in, wherever that is
    client = Client()
    client.force_login(unit_staff)
    before = AuditEvent.objects.count()
    assert objects["communities.Community"].name in client.get("/worker/unit/").content.decode()
    assert AuditEvent.objects.count() == before + 1
