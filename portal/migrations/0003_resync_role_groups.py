"""Give the role groups the permissions of models added since (activity photos and series)."""

from django.db import migrations


def resync(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from communities.roles import sync_role_groups

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_role_groups"),
        ("activities", "0005_activity_series"),
        ("cadres", "0002_roster_import"),
    ]

    operations = [migrations.RunPython(resync, migrations.RunPython.noop)]
