"""Give the role groups the permissions of models added since (activity photos and series)."""

from django.db import migrations

from communities.roles import sync_role_groups_in_migration


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_role_groups"),
        ("activities", "0005_activity_series"),
        ("cadres", "0002_roster_import"),
    ]

    operations = [migrations.RunPython(sync_role_groups_in_migration, migrations.RunPython.noop)]
