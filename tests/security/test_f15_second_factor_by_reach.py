"""The second factor follows what a role can reach, not its model permissions.

Every role that can list or export people logs in with TOTP in production — unit staff too, who have no
model permission at all yet list their unit's retirees across the city. The only role left without it
reads figures, and a walk over every page that role may open finds nobody's name, phone or address there.
"""

import datetime
import html
import io
import re
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.gate import FIGURE_PAGES, PAGE_ROLES, may_open
from accounts.models import Role
from accounts.services import needs_two_factor, two_factor_roles
from core.dates import months_back
from portal.ledgers import LedgerPlace, build_ledger
from tests.conftest import make_user
from tests.factories import ActivityFactory, CadreFactory, CommunityFactory, UnitFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Correct-Horse-42"


def test_every_role_but_the_leader_needs_a_second_factor():
    assert two_factor_roles() == frozenset(Role) - {Role.LEADER}


def test_unit_staff_are_held_at_the_totp_set_up(client, settings):
    settings.MFA_REQUIRED = True
    user = make_user(Role.UNIT, unit=UnitFactory())
    assert needs_two_factor(user)
    client.post("/accounts/login/", {"login": user.username, "password": PASSWORD})
    response = client.get(reverse("unit_home"))
    assert response.status_code == 302 and response.url == "/accounts/2fa/totp/activate/"


def _text_of(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:2] == b"PK":  # a workbook: every string in it
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            return "".join(book.read(name).decode() for name in book.namelist() if name.endswith(".xml"))
    return body.decode()


def _urls(client, name, community, month) -> list[str]:
    if name == "dashboard_chart":  # every chart the dashboard links to
        page = client.get(reverse("dashboard"), {"month": f"{month:%Y-%m}"}).content.decode()
        links = sorted(set(re.findall(r'href="(/dashboard/charts/[^"]+)"', page)))
        assert links
        return [html.unescape(link) for link in links]
    if name == "approval_detail":
        return [reverse(name, args=[community.pk, f"{month:%Y-%m}"])]
    return [reverse(name) + query for query in ("", "?view=approved", f"?month={month:%Y-%m}")]


def test_no_page_a_role_without_a_second_factor_opens_shows_a_person(client):
    community = CommunityFactory()
    person = CadreFactory(community=community, name="欧阳秀英", phone="13912345678", address="桃花山路88号")
    month = months_back(timezone.localdate(), 1)
    start = timezone.make_aware(datetime.datetime.combine(month.replace(day=10), datetime.time(9)))
    activity = ActivityFactory(community=community, starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    activity.sign_ins.create(cadre=person)
    build_ledger(unit=LedgerPlace.of_community(community), month=month)
    without = frozenset(Role) - two_factor_roles()
    assert without, "a role without a second factor, whose pages are walked here"
    for role in without:
        user = make_user(role)
        client.force_login(user)
        pages = [name for name, roles in PAGE_ROLES.items() if role in roles]
        assert set(pages) <= FIGURE_PAGES
        for name in pages:
            assert may_open(user, name)
            for url in _urls(client, name, community, month):
                response = client.get(url)
                assert response.status_code in (200, 302), (role, url)
                text = _text_of(response)
                for secret in ("欧阳秀英", "13912345678", "5678", "桃花山路"):
                    assert secret not in text, (role, url, secret)
