"""Finding 5: what a role without ``view_identity`` sees, on every page and in every export together,
leaves at least 10,000 possible ID numbers for each person.

The attacker is assumed to know the person's 6-digit region already (from the community); what the
portal shows adds the month of birth, the gender and the masked number. The test gathers every page and
download a street administrator and a community worker can open about one person, checks that nothing
finer than the month of birth and no digit of the ID beyond the first four is among them, and counts the
numbers that still fit.
"""

import calendar
import datetime
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role
from activities.photos import add_photo
from cadres.parsers import id_check_char, make_id_number
from core.privacy import mask_id_number
from portal.ledgers import LedgerPlace, build_ledger
from portal.reminders import build_reminders
from tests.activities.test_photos import phone_photo
from tests.conftest import make_user
from tests.factories import (
    ActivityFactory,
    BranchMembershipFactory,
    CadreFactory,
    CareCaseFactory,
    CommunityFactory,
    PartyBranchFactory,
    SignInFactory,
)

pytestmark = pytest.mark.django_db
MIN_CANDIDATES = 10_000


def _text_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        workbook = load_workbook(io.BytesIO(content))
        return "\n".join(
            str(value) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for value in row
        )
    return content.decode("utf-8", errors="replace")


def _candidates(*, region: str, year: int, month: int, gender: str, mask: str) -> int:
    """ID numbers of that region, born in that month, of that gender, that the shown mask fits."""
    pattern = re.compile("^" + "".join("." if ch == "*" else re.escape(ch) for ch in mask) + "$")
    count = 0
    for day in range(1, calendar.monthrange(year, month)[1] + 1):
        for sequence in range(1 if gender == "M" else 0, 1000, 2):
            first17 = f"{region}{year:04d}{month:02d}{day:02d}{sequence:03d}"
            if pattern.match(first17 + id_check_char(first17)):
                count += 1
    return count


@pytest.fixture
def person(db):
    """A party member turning 80 this month, in a branch, signed in, in care, with a ledger and a photo."""
    today = timezone.localdate()
    born = datetime.date(today.year - 80, today.month, min(today.day, 28))
    community = CommunityFactory()
    cadre = CadreFactory(
        community=community,
        name="甄秀兰",
        gender="F",
        birth_date=born,
        id_number=make_id_number("370102", born, 246),
        phone="13912345678",
    )
    branch = PartyBranchFactory(community=community)
    BranchMembershipFactory(branch=branch, cadre=cadre, joined_on=datetime.date(2020, 1, 1))
    activity = ActivityFactory(community=community, organiser_branch=branch, starts_at=timezone.now())
    SignInFactory(activity=activity, cadre=cadre)
    add_photo(activity=activity, upload=phone_photo(200, 100))
    CareCaseFactory(cadre=cadre)
    build_reminders(week_start=today - datetime.timedelta(days=today.weekday()))
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    report = build_ledger(unit=LedgerPlace.of_community(community), month=last_month)
    return cadre, branch, activity, report


def _everything_seen_by(client, user, cadre, branch, activity, report) -> str:
    client.force_login(user)
    month = f"{timezone.localdate():%Y-%m}"
    urls = [
        "/admin/cadres/cadre/",
        f"/admin/cadres/cadre/{cadre.pk}/change/",
        "/admin/cadres/cadre/?q=甄秀兰",
        "/admin/cadres/carecase/",
        "/admin/cadres/branchmembership/",
        "/admin/activities/signin/",
        f"/admin/cadres/partybranch/{branch.pk}/change/",
        "/worker/",
        "/reminders/",
        "/worker/care/",
        f"/worker/activities/{activity.pk}/",
        f"/worker/activities/{activity.pk}/search/?q=zxl",
        f"/worker/activities/{activity.pk}/print/",
        "/worker/cadres/pick/?q=zxl",
        f"/worker/branches/{branch.pk}/archive/?from={month}&to={month}",
        f"/worker/branches/{branch.pk}/archive.xlsx?from={month}&to={month}",
        f"/ledgers/{report.pk}/download/",
        f"/worker/timebank/statement/{cadre.pk}/",
    ]
    seen = []
    for url in urls:
        response = client.get(url)
        if response.status_code == 200:
            seen.append(_text_of(response))
    for format_index in ("0", "1"):
        response = client.post("/admin/cadres/cadre/export/", {"format": format_index, "resource": "0"})
        if response.status_code == 200:
            seen.append(_text_of(response))
    assert len(seen) >= 8, "the test should see the person in many places"
    return "\n".join(seen)


@pytest.mark.parametrize("role", [Role.STREET, Role.COMMUNITY])
def test_what_a_role_without_identity_sees_leaves_10000_possible_numbers(client, person, role):
    cadre, branch, activity, report = person
    user = (
        make_user(role, street=cadre.community.street)
        if role == Role.STREET
        else make_user(role, community=cadre.community)
    )
    seen = _everything_seen_by(client, user, cadre, branch, activity, report)
    assert cadre.name in seen

    born, number = cadre.birth_date, cadre.id_number
    finer_than_month = [
        f"{born:%Y-%m-%d}",
        f"{born:%Y%m%d}",
        f"{born.year}年{born.month}月{born.day}日",
        f"{born.year}/{born.month}/{born.day}",
        f"{born.year}.{born.month}.{born.day}",
    ]
    for text in finer_than_month:
        assert text not in seen, f"the birth date is shown to the day: {text}"
    assert number not in seen and number[-4:] not in seen and number[-6:] not in seen
    assert "13912345678" not in seen

    shown_masks = set(re.findall(r"\d{2,6}\*{6,16}[\dX]{0,4}", seen))
    assert shown_masks == {mask_id_number(number)}, shown_masks
    count = _candidates(
        region=number[:6], year=born.year, month=born.month, gender=cadre.gender, mask=mask_id_number(number)
    )
    assert count >= MIN_CANDIDATES, count


def test_the_bureau_still_sees_the_full_number(client, person):
    cadre, *_rest = person
    client.force_login(make_user(Role.BUREAU))
    page = client.get(f"/admin/cadres/cadre/{cadre.pk}/change/").content.decode()
    assert cadre.id_number in page, page
