"""On PostgreSQL two accepted requests for one room cannot overlap (as activities cannot, 0003).

Accepting a request also creates its activity, which the activities' own exclusion constraint guards; this one
keeps the requests' table honest on its own, whatever writes it.
"""

from django.db import migrations

CONSTRAINT = "room_request_no_overlap_accepted"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE activities_roomrequest ADD CONSTRAINT {CONSTRAINT} "
        "EXCLUDE USING gist (venue_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
        "WHERE (status = 'accepted')"
    )


def remove_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE activities_roomrequest DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("activities", "0013_room_requests")]

    operations = [migrations.RunPython(add_constraint, remove_constraint)]
