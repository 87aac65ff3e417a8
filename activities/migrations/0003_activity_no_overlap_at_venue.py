"""On PostgreSQL the database itself refuses two overlapping activities at one venue.

An exclusion constraint over (venue, time range) for activities that are not cancelled,
so two workers saving at the same moment cannot both win. SQLite has no such constraint;
there the rule is checked by activities.services.save_activity. The btree_gist extension
must be creatable by the migrating role (or created beforehand by the DBA).
"""

from django.db import migrations

CONSTRAINT = "activity_no_overlap_at_venue"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE activities_activity ADD CONSTRAINT {CONSTRAINT} "
        "EXCLUDE USING gist (venue_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
        "WHERE (status <> 'cancelled' AND venue_id IS NOT NULL)"
    )


def remove_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE activities_activity DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("activities", "0002_initial")]

    operations = [migrations.RunPython(add_constraint, remove_constraint)]
