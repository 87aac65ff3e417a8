"""An activity someone signed in to took place: planned activities with sign-ins are marked held, so "held" (开展活动)
counts what happened and nothing that is only planned."""

from django.db import migrations


def mark_held(apps, schema_editor):
    Activity = apps.get_model("activities", "Activity")
    SignIn = apps.get_model("activities", "SignIn")
    signed = SignIn.objects.values("activity_id")
    Activity.objects.filter(status="planned", pk__in=signed).update(status="held")


class Migration(migrations.Migration):
    dependencies = [("activities", "0014_room_request_no_overlap")]

    operations = [migrations.RunPython(mark_held, migrations.RunPython.noop)]
