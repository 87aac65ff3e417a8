"""StaffScope now belongs to the accounts app: removed from this app's state only; its table stays."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0004_constraint_messages"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="StaffScope")]),
    ]
