"""The month's approval and its steps now belong to the approvals app: removed from this app's state only;
their tables stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0009_approval_figures"),
        ("approvals", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ApprovalStep"), migrations.DeleteModel(name="MonthApproval")]
        ),
    ]
