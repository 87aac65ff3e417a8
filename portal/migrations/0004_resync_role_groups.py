"""Give the role groups the permissions of the groups, talents, care, three-lists and time-bank models."""

from django.db import migrations

from communities.roles import sync_role_groups_in_migration


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_resync_role_groups"),
        ("activities", "0007_three_lists_links"),
        ("cadres", "0003_groups_talents_care"),
    ]

    operations = [migrations.RunPython(sync_role_groups_in_migration, migrations.RunPython.noop)]
