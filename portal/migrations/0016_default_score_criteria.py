"""The pilot scorecard's criteria and the reporting settings the bureau starts from (it changes them in the admin)."""

from django.db import migrations

DEFAULTS = [
    ("six_haves", 15, "1"),
    ("branch_formed", 10, "1"),
    ("activities", 20, "4"),
    ("attendance", 15, "0.8"),
    ("visits_on_time", 15, "1"),
    ("needs_30_days", 10, "0.9"),
    ("reporting_on_time", 15, "1"),
]


def create_criteria(apps, schema_editor):
    criterion = apps.get_model("portal", "ScoreCriterion")
    for measure, weight, target in DEFAULTS:
        criterion.objects.get_or_create(measure=measure, defaults={"weight": weight, "target": target})
    # the one settings row: deadline the 5th, pilot from 85 points
    apps.get_model("portal", "ReportingSettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("portal", "0015_reporting_and_scorecard")]

    operations = [migrations.RunPython(create_criteria, migrations.RunPython.noop)]
