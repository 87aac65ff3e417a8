"""Every admin registered for a month's records refuses add, change, delete and bulk delete in a frozen month with
the lock's message, and writes nothing; the same posts in an open month go through (so the test can fail)."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.forms.models import model_to_dict
from django.utils import timezone

from accounts.models import Role
from activities.models import Activity, FollowUp, Need, Redemption, ServiceRecord, SignIn
from activities.services import record_service
from approvals.models import MonthApproval
from cadres.models import Visit
from core.dates import local_midnight, month_start, months_back
from tests.conftest import make_user
from tests.factories import (
    ActivityFactory,
    CadreFactory,
    CommunityFactory,
    NeedFactory,
    PartyBranchFactory,
    SignInFactory,
)

pytestmark = pytest.mark.django_db
LAST_MONTH = months_back(month_start(timezone.localdate()), 1)
FROZEN_DAY = LAST_MONTH + datetime.timedelta(days=9)


def _clerk():
    return make_user(Role.BUREAU)


def _activity(community, day, **extra):
    at = local_midnight(day) + datetime.timedelta(hours=9)
    return ActivityFactory(community=community, starts_at=at, ends_at=at + datetime.timedelta(hours=2), **extra)


# how to put one record of each model in a month (a new model with a month_key fails here until it is listed)
RECORDS = {
    Activity: lambda community, day: _activity(community, day),
    SignIn: lambda community, day: SignInFactory(activity=_activity(community, day)),
    Need: lambda community, day: NeedFactory(community=community, raised_on=day),
    Visit: lambda community, day: Visit.objects.create(
        cadre=CadreFactory(community=community), visited_on=day, visitors="张三", kind="routine"
    ),
    ServiceRecord: lambda community, day: record_service(
        cadre=CadreFactory(community=community), served_on=day, hours=2, description="助老", verified_by=_clerk()
    ),
    Redemption: lambda community, day: Redemption.objects.create(
        cadre=CadreFactory(community=community), points=1, item="毛巾", redeemed_on=day, recorded_by=_clerk()
    ),
    # a follow-up is of a branch's activity (record_follow_up refuses any other): the branch's community's
    FollowUp: lambda community, day: FollowUp.objects.create(
        activity=_activity(community, day, organiser_branch=PartyBranchFactory(community=community)),
        cadre=CadreFactory(community=community),
        how="home",
        done_on=day,
    ),
}


def month_record_admins():
    return sorted(
        (model for model in admin.site._registry if hasattr(model, "month_key")), key=lambda model: model._meta.label
    )


class _Form(HTMLParser):
    """The fields of the admin's change form as a browser would post them."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea, self.in_form = {}, None, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith("_form"):
            self.in_form = True
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.setdefault(name, attrs.get("value", "on" if attrs.get("type") == "checkbox" else ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self.in_form = False

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def _form_data(client, url):
    page = client.get(url)
    assert page.status_code == 200, url
    form = _Form()
    form.feed(page.content.decode())
    return {key: value for key, value in form.data.items() if key != "csrfmiddlewaretoken"}


def _messages(response):
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def _state(model, pk):
    row = model.objects.filter(pk=pk).first()
    return None if row is None else model_to_dict(row)


def _url(model, view, *args):
    from django.urls import reverse

    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _try_every_door(client, model, record):
    """Post the change form as shown, add a copy, delete, and bulk delete; what the user was told, per door."""
    told = {}
    model_admin = admin.site._registry[model]
    fake = type("R", (), {"user": client.user})()
    if model_admin.has_change_permission(fake, record):
        data = _form_data(client, _url(model, "change", record.pk))
        told["change"] = _messages(client.post(_url(model, "change", record.pk), data))
        if model_admin.has_add_permission(fake):
            copy = {key: value for key, value in data.items() if not re.match(r".*-(TOTAL|INITIAL)_FORMS$", key)}
            copy.update({key: value for key, value in data.items() if re.match(r".*-(TOTAL|INITIAL)_FORMS$", key)})
            for key in [key for key in copy if re.match(r".*-\d+-", key)]:
                copy.pop(key)
            for key in [key for key in copy if key.endswith("-INITIAL_FORMS") or key.endswith("-TOTAL_FORMS")]:
                copy[key] = "0"
            told["add"] = _messages(client.post(_url(model, "add"), copy))
    elif model_admin.has_add_permission(fake):
        told["add"] = "—"  # added only through the worker's pages or a service (covered by test_steps)
    if model_admin.has_delete_permission(fake, record):
        told["delete"] = _messages(client.post(_url(model, "delete", record.pk), {"post": "yes"}))
        told["bulk delete"] = _messages(
            client.post(
                _url(model, "changelist"),
                {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"},
            )
        )
    return told


@pytest.fixture
def bureau_client(client):
    user = make_user(Role.BUREAU)
    client.force_login(user)
    client.user = user
    return client


@pytest.mark.parametrize("model", month_record_admins(), ids=lambda model: model._meta.label)
def test_every_admin_door_to_a_frozen_months_records_is_refused_with_the_lock(bureau_client, model):
    community = CommunityFactory()
    record = RECORDS[model](community, FROZEN_DAY)
    rows_before = model.objects.count()
    before = _state(model, record.pk)
    MonthApproval.objects.update_or_create(
        community=community, month=LAST_MONTH, defaults={"state": MonthApproval.State.ACCEPTED}
    )

    told = _try_every_door(bureau_client, model, record)

    for door, message in told.items():
        if message != "—":
            assert "已审定锁定" in message, (door, message)
    assert _state(model, record.pk) == before
    assert model.objects.count() == rows_before


@pytest.mark.parametrize("model", month_record_admins(), ids=lambda model: model._meta.label)
def test_the_same_doors_in_an_open_month_go_through(bureau_client, model):
    """The control: the posts above are ones the admin accepts when the month is open."""
    community = CommunityFactory()
    record = RECORDS[model](community, timezone.localdate())
    told = _try_every_door(bureau_client, model, record)
    assert told, model
    for door, message in told.items():
        assert "锁定" not in message and "没有" not in message, (door, message)
    if "delete" in told:
        assert not model.objects.filter(pk=record.pk).exists()
