"""One rule for who sees which personal field (core.privacy.field_view, from Cadre.SENSITIVE_FIELDS and
MASKED_FIELDS): every page of the site and the roster export, opened as every role, show a person's fields
exactly as the README's table says — written out here by hand, not read from the rule."""

import pytest
from django.test import Client

from accounts.models import Role
from cadres.resources import CadreResource
from tests.accounts.test_permission_matrix import (
    _admin_expectation,
    _site_patterns,
    _url_for,
    world,  # noqa: F401 - the fixture, shared
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PERSON = {
    "id_number": None,  # the factory's, read below
    "phone": "13912345678",
    "address": "幸福路9号",
    "emergency_contact_name": "王紧急",
    "emergency_contact_phone": "13787654321",
    "health": "高血压二级",
}
# what each role may read in full (README "Roles and what each sees"); everything else it never sees in full
FULL = {
    "bureau": set(PERSON),
    "street": set(),
    "community": {"emergency_contact_name", "health"},
    "unit": set(),
    "leader": set(),
    "auditor": set(),
    "sysadmin": set(),
}


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:2] == b"PK":
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(body)) as book:
            return "".join(book.read(name).decode() for name in book.namelist() if name.endswith(".xml"))
    return body.decode(errors="ignore")


def test_every_page_and_export_shows_each_field_as_the_table_says(world):  # noqa: F811
    users, objects = world
    cadre = objects["cadres.Cadre"]
    for field, value in PERSON.items():
        if value:
            setattr(cadre, field, value)
    cadre.save()
    values = {**PERSON, "id_number": cadre.id_number}
    accounts = {key: users[key] for key in ("bureau", "street", "community", "leader", "auditor", "sysadmin")}
    accounts["unit"] = make_user(Role.UNIT, unit=cadre.former_unit or objects["cadres.Unit"])
    if cadre.former_unit is None:
        cadre.former_unit = objects["cadres.Unit"]
        cadre.save()
    seen_somewhere = {field: False for field in values}
    leaks = []
    for role, account in accounts.items():
        client = Client(raise_request_exception=False)
        client.force_login(account)
        forbidden = {field: value for field, value in values.items() if field not in FULL[role]}
        texts = []
        for pattern in _site_patterns():
            admin = _admin_expectation(pattern)
            url = _url_for(pattern, objects, admin[0] if isinstance(admin, tuple) else None)
            response = client.get(url)
            if response.status_code == 200:
                texts.append((url, _text(response)))
        texts.append(("roster export", CadreResource(user=account).export().csv))
        for url, text in texts:
            for field, value in values.items():
                if value in text:
                    seen_somewhere[field] = True
                    if field in forbidden:
                        leaks.append(f"{role} {url}: {field}")
    assert not leaks, leaks
    assert all(seen_somewhere.values()), seen_somewhere  # each field is shown in full to someone
