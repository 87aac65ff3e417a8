"""TOTP secrets and recovery-code seeds written before the MFA adapter encrypted them are encrypted now."""

from django.db import migrations

FERNET_PREFIX = "gAAAAA"  # every Fernet token starts with its version byte and timestamp


def encrypt_secrets(apps, schema_editor):
    from core.privacy import encrypt

    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.all():
        data = dict(authenticator.data)
        changed = False
        for key in ("secret", "seed"):
            value = data.get(key)
            if value and not value.startswith(FERNET_PREFIX):
                data[key] = encrypt(value)
                changed = True
        if changed:
            authenticator.data = data
            authenticator.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [("portal", "0006_default_completeness_rules"), ("mfa", "0003_authenticator_type_uniq")]

    operations = [migrations.RunPython(encrypt_secrets, migrations.RunPython.noop)]
