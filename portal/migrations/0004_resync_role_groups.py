"""Give the role groups the permissions of the groups, talents, care, three-lists and time-bank models."""

from django.db import migrations



class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_resync_role_groups"),
        ("activities", "0007_three_lists_links"),
        ("cadres", "0003_groups_talents_care"),
    ]

    operations = []  # the role groups are synced after every migrate (post_migrate, communities/apps.py)
