"""The liaison's pages in a frozen month: every write answers with the lock's message (never a 500) and writes
nothing — cancel, restore, a tap, its undo, an offline batch, the written record, crediting volunteer hours."""

import datetime
import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from activities.models import Activity, SignIn
from approvals.models import MonthApproval
from core.dates import local_midnight, month_start, months_back
from tests.conftest import make_user
from tests.factories import ActivityFactory, CadreFactory, CommunityFactory, SignInFactory

pytestmark = pytest.mark.django_db
LAST_MONTH = months_back(month_start(timezone.localdate()), 1)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.parametrize("state", [MonthApproval.State.SUBMITTED, MonthApproval.State.ACCEPTED])
def test_every_write_of_the_liaisons_pages_in_a_frozen_month_says_why(client, state):
    community = CommunityFactory()
    at = local_midnight(LAST_MONTH + datetime.timedelta(days=9)) + datetime.timedelta(hours=9)
    activity = ActivityFactory(community=community, starts_at=at, ends_at=at + datetime.timedelta(hours=2))
    volunteering = ActivityFactory(
        community=community,
        kind="volunteer",
        starts_at=at + datetime.timedelta(hours=3),
        ends_at=at + datetime.timedelta(hours=5),
    )
    SignInFactory(activity=volunteering)
    cancelled = ActivityFactory(
        community=community,
        status="cancelled",
        starts_at=at + datetime.timedelta(hours=6),
        ends_at=at + datetime.timedelta(hours=7),
    )
    line = SignInFactory(activity=activity)
    cadre = CadreFactory(community=community)
    MonthApproval.objects.create(community=community, month=LAST_MONTH, state=state)
    client.force_login(make_user(Role.COMMUNITY, community=community))
    sync = json.dumps({"taps": [{"key": str(uuid.uuid4()), "cadre": cadre.pk, "walk_in_name": "", "at": ""}]})
    doors = {
        "cancel": lambda: client.post(reverse("activity_cancel", args=[activity.pk]), follow=True),
        "restore": lambda: client.post(reverse("activity_restore", args=[cancelled.pk]), follow=True),
        "tap": lambda: client.post(reverse("activity_sign_in", args=[activity.pk]), {"cadre": cadre.pk}, **HTMX),
        "undo": lambda: client.post(reverse("activity_undo", args=[activity.pk, line.pk]), **HTMX),
        "sync": lambda: client.post(
            reverse("sign_in_sync", args=[activity.pk]),
            sync,
            content_type="application/json",
            HTTP_ACCEPT="application/json",
        ),
        "record": lambda: client.post(reverse("activity_record", args=[activity.pk]), {"record": "补写"}, follow=True),
        "credit": lambda: client.post(reverse("activity_credit_hours", args=[volunteering.pk]), follow=True),
    }
    for door, knock in doors.items():
        response = knock()
        assert response.status_code < 500, door
        body = response.content.decode()
        if response["Content-Type"].startswith("application/json"):
            body = json.dumps(response.json(), ensure_ascii=False)
        assert "不能修改" in body, door
    assert Activity.objects.get(pk=activity.pk).status != Activity.Status.CANCELLED
    assert Activity.objects.get(pk=cancelled.pk).status == Activity.Status.CANCELLED
    assert Activity.objects.get(pk=activity.pk).record == ""
    assert list(SignIn.objects.filter(activity=activity)) == [line]
    assert not volunteering.service_records.exists()
