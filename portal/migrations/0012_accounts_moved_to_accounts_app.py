"""StaffProfile, LoginThrottle and PasswordHistory now belong to the accounts app: removed from this
app's state only; their tables and rows stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0011_jobs_that_finish"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="LoginThrottle"),
                migrations.DeleteModel(name="PasswordHistory"),
                migrations.DeleteModel(name="StaffProfile"),
            ]
        ),
    ]
