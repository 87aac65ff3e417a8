"""The completeness checks every community ledger ends with, on by default; the bureau can change them."""

from django.db import migrations


DEFAULTS = [
    ("rooms_used", True, 1),
    ("secretary_day", True, 1),
    ("org_life", True, 1),
    ("care_visited", True, 1),
    ("needs_answered", True, 14),
]


def create_rules(apps, schema_editor):
    rule = apps.get_model("portal", "CompletenessRule")
    for code, active, threshold in DEFAULTS:
        rule.objects.get_or_create(code=code, defaults={"is_active": active, "threshold": threshold})


class Migration(migrations.Migration):
    dependencies = [("portal", "0005_ledgers_and_reminders")]

    operations = [
        migrations.RunPython(create_rules, migrations.RunPython.noop),
    ]
