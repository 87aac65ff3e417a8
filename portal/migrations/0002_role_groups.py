"""Create the four role groups of the design with their model permissions."""

from django.db import migrations



class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("communities", "0002_auditevent"),
        ("portal", "0001_initial"),
        ("cadres", "0001_initial"),
        ("activities", "0001_initial"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = []  # the role groups are synced after every migrate (post_migrate, communities/apps.py)
