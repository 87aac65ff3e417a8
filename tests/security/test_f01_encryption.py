"""Finding 1: one mistyped ID number must not stop decryption for the rest of the process; keys rotate."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from cadres.models import Cadre
from core.privacy import DecryptionError, _fernet
from tests.conftest import make_user
from tests.factories import CadreFactory, CommunityFactory

pytestmark = pytest.mark.django_db


def _raw(cadre, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM cadres_cadre WHERE id = %s", [cadre.pk])
        return cursor.fetchone()[0]


def test_a_rejected_id_number_leaves_every_later_read_decrypted(client):
    cadre = CadreFactory(phone="13812345678")
    community = CommunityFactory()
    client.force_login(make_user("bureau"))
    refused = client.post(
        "/admin/cadres/cadre/add/",
        {
            "name": "王建国",
            "id_number": "370114194801011235",
            "community": community.pk,
            "retirement_kind": "tuixiu",
            "ethnicity": "汉族",
            "branch_memberships-TOTAL_FORMS": "0",
            "branch_memberships-INITIAL_FORMS": "0",
        },
    )
    assert refused.status_code == 200 and Cadre.objects.count() == 1
    again = Cadre.objects.get(pk=cadre.pk)
    assert again.phone == "13812345678"
    assert again.id_number == cadre.id_number
    assert Cadre.objects.values_list("phone", flat=True).get(pk=cadre.pk) == "13812345678"
    # and the next save through the admin works
    page = client.get(f"/admin/cadres/cadre/{cadre.pk}/change/")
    assert page.status_code == 200 and cadre.id_number in page.content.decode()


def test_a_value_no_key_opens_is_an_error_never_ciphertext_on_screen(settings):
    cadre = CadreFactory(phone="13812345678")
    settings.FIELD_ENCRYPTION_KEYS = ["some-other-salt"]
    with pytest.raises(DecryptionError):
        Cadre.objects.get(pk=cadre.pk)


def test_keys_rotate_old_key_reads_until_every_row_is_reencrypted(settings):
    settings.FIELD_ENCRYPTION_KEYS = ["old-salt"]
    cadre = CadreFactory(phone="13812345678", health="高血压")
    old_token = _raw(cadre, "phone")
    settings.FIELD_ENCRYPTION_KEYS = ["new-salt", "old-salt"]
    assert Cadre.objects.get(pk=cadre.pk).phone == "13812345678"  # the old key still reads
    call_command("rotate_encryption", stdout=io.StringIO())
    assert _raw(cadre, "phone") != old_token
    settings.FIELD_ENCRYPTION_KEYS = ["new-salt"]  # the old key dropped
    again = Cadre.objects.get(pk=cadre.pk)
    assert (again.phone, again.health, again.id_number) == ("13812345678", "高血压", cadre.id_number)
    # the history rows were re-encrypted too
    assert again.history.first().phone == "13812345678"
    _fernet.cache_clear()


def test_two_factor_secrets_are_not_readable_in_a_database_dump():
    from allauth.mfa.totp.internal.auth import TOTP

    user = make_user("bureau")
    totp = TOTP.activate(user, "JBSWY3DPEHPK3PXP")
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator WHERE id = %s", [totp.instance.pk])
        stored = str(cursor.fetchone()[0])
    assert "JBSWY3DPEHPK3PXP" not in stored
    assert TOTP(totp.instance).validate_code("000000") in (True, False)  # decrypts without error


def test_the_restore_check_fails_when_a_key_is_missing(settings):
    from django.core.management.base import CommandError

    CadreFactory(phone="13812345678")
    out = io.StringIO()
    call_command("rotate_encryption", "--check", stdout=out)
    assert "全部可以解密" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = ["a-key-the-backup-was-not-made-with"]
    with pytest.raises(CommandError, match="无法用现有密钥解密"):
        call_command("rotate_encryption", "--check", stdout=io.StringIO())
