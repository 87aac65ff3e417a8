"""Give the role groups the permissions of models added since (activity photos and series)."""

from django.db import migrations



class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_role_groups"),
        ("activities", "0005_activity_series"),
        ("cadres", "0002_roster_import"),
    ]

    operations = []  # the role groups are synced after every migrate (post_migrate, communities/apps.py)
