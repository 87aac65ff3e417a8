"""Residence registration and mobile members move from flags on the cadre into their own records.

A cadre's ``reported_on`` becomes a registration with their community on that day; ``is_mobile_member`` with
``mobile_place`` becomes an open mobile record (left on the day of the migration when nothing better is known:
the first contact is then due one interval later). A member holding two current memberships keeps the earliest
as their home; the others become 参加组织生活, so the one-home constraint (0016) can be added.
"""

import datetime

from django.db import migrations


def into_records(apps, schema_editor):
    Cadre = apps.get_model("cadres", "Cadre")
    Registration = apps.get_model("cadres", "ResidenceRegistration")
    Mobile = apps.get_model("cadres", "MobileMember")
    Membership = apps.get_model("cadres", "BranchMembership")
    today = datetime.date.today()
    Registration.objects.bulk_create(
        Registration(cadre_id=pk, community_id=community_id, reported_on=day, status="reported")
        for pk, community_id, day in Cadre.objects.filter(reported_on__isnull=False, is_party_member=True)
        .values_list("pk", "community_id", "reported_on")
        .iterator()
    )
    Mobile.objects.bulk_create(
        Mobile(cadre_id=pk, place=place or "（未填写）", left_on=today)
        for pk, place in Cadre.objects.filter(is_mobile_member=True).values_list("pk", "mobile_place").iterator()
    )
    seen = set()
    extra = []
    for pk, cadre_id in (
        Membership.objects.filter(relation="held", left_on__isnull=True)
        .order_by("cadre_id", "joined_on", "pk")
        .values_list("pk", "cadre_id")
        .iterator()
    ):
        if cadre_id in seen:
            extra.append(pk)
        seen.add(cadre_id)
    Membership.objects.filter(pk__in=extra).update(relation="functional")


def back_to_flags(apps, schema_editor):
    Cadre = apps.get_model("cadres", "Cadre")
    for registration in apps.get_model("cadres", "ResidenceRegistration").objects.exclude(status="ended"):
        Cadre.objects.filter(pk=registration.cadre_id).update(reported_on=registration.reported_on)
    for mobile in apps.get_model("cadres", "MobileMember").objects.filter(returned_on__isnull=True):
        Cadre.objects.filter(pk=mobile.cadre_id).update(is_mobile_member=True, mobile_place=mobile.place[:100])


class Migration(migrations.Migration):
    dependencies = [("cadres", "0014_members")]

    operations = [migrations.RunPython(into_records, back_to_flags)]
