"""Finding 12: odd input never crashes a page; constraint names never reach a user; pages and downloads
with personal data are not cached.

Walks every URL of the site as every role with query strings a curious or careless person could type.
"""

import pytest
from django.apps import apps
from django.db import models
from django.test import Client

from tests.accounts.test_permission_matrix import (
    ACTORS,
    _admin_expectation,
    _site_patterns,
    _url_for,
    world,  # noqa: F401 - the fixture, shared
)

pytestmark = pytest.mark.django_db

ODD = {
    "week": "9999-12-31",
    "month": "0001-01",
    "from": "0000-00",
    "to": "99999-99",
    "page": "-1",
    "p": "99999999999999999999",
    "q": "'\"<script>%00",
    "year": "99999",
    "date": "9999-99-99",
    "street": "abc",
    "community": "-1",
    "kind": "<b>",
    "o": "999",
    "status": "nope",
    "size": "huge",
}


@pytest.mark.parametrize("actor", [a for a in ACTORS if a != "anon"])
def test_no_page_answers_500_to_odd_input(world, actor):  # noqa: F811
    users, objects = world
    client = Client(raise_request_exception=False)
    client.force_login(users[actor])
    crashes = []
    for pattern in _site_patterns():
        admin = _admin_expectation(pattern)
        url = _url_for(pattern, objects, admin[0] if isinstance(admin, tuple) else None)
        for params in (ODD, {"week": ODD["week"]}, {"month": ODD["month"]}, {"from": "2026-13", "to": "1999-01"}):
            response = client.get(url, params)
            if response.status_code >= 500:
                crashes.append(f"{url}?{'&'.join(params)} → {response.status_code}")
    assert not crashes, crashes


def test_the_reviews_two_crashes_now_answer(world):  # noqa: F811
    users, objects = world
    client = Client(raise_request_exception=False)
    client.force_login(users["community"])
    venue = objects["communities.Venue"]
    assert client.get(f"/worker/venues/{venue.pk}/", {"week": "9999-12-31"}).status_code == 200
    client.force_login(users["leader"])
    assert client.get("/dashboard/", {"month": "0001-01"}).status_code == 200


def test_every_constraint_speaks_chinese_and_never_its_name():
    for model in apps.get_models():
        if model._meta.app_label not in ("communities", "cadres", "activities", "portal"):
            continue
        for constraint in model._meta.constraints:
            plain_unique = (
                isinstance(constraint, models.UniqueConstraint)
                and constraint.fields
                and not constraint.condition
                and not constraint.expressions
            )
            if plain_unique:
                continue  # Django words these as "… already exists", naming fields, not the constraint
            message = str(constraint.violation_error_message)
            assert message != str(constraint.default_violation_error_message), constraint.name
            assert constraint.name not in message


def test_a_project_claimed_without_claimant_is_told_in_words(client):
    from accounts.models import Role
    from tests.conftest import make_user
    from tests.factories import CommunityFactory

    community = CommunityFactory()
    client.force_login(make_user(Role.BUREAU))
    response = client.post(
        "/admin/activities/project/add/",
        {
            "community": community.pk,
            "title": "银龄宣讲",
            "category": "theory",
            "status": "claimed",
            "progress": 0,
        },
    )
    page = response.content.decode()
    assert "project_claimed_has_claimant" not in page
    assert response.status_code == 200 and "认领" in page


def test_a_street_admin_is_not_offered_a_care_case_it_could_not_fill_in(client):
    from accounts.models import Role
    from tests.conftest import make_user
    from tests.factories import CommunityFactory

    client = Client(raise_request_exception=False)
    client.force_login(make_user(Role.STREET, street=CommunityFactory().street))
    assert client.get("/admin/cadres/carecase/add/").status_code == 403
    assert client.post("/admin/cadres/carecase/add/", {}).status_code == 403


def test_pages_and_downloads_with_personal_data_are_never_cached(world):  # noqa: F811
    users, objects = world
    client = Client()
    client.force_login(users["bureau"])
    for url in (
        "/admin/cadres/cadre/",
        f"/ledgers/{objects['portal.LedgerReport'].pk}/download/",
        "/dashboard/charts/age_bands.xlsx",
        "/dashboard/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "no-store, private", url


# --- every text a person can type is bounded on the server; every id before it reaches the database ----

HUGE_ID = "99999999999999999999"


def _field_names() -> set[str]:
    """Every field name a page of the portal offers (name="…" in the templates)."""
    import re
    from pathlib import Path

    from django.conf import settings

    names = set()
    for template in (Path(settings.BASE_DIR) / "templates").rglob("*.html"):
        if "admin" in template.parts:
            continue
        text = template.read_text()
        names |= set(re.findall(r'\bname="([a-z_]+)"', text))
        names |= set(re.findall(r"[?&]([a-z_]+)=", text))  # the query strings of links and polls
    return names - {"csrfmiddlewaretoken", "viewport", "referrer", "next"}


@pytest.mark.parametrize("actor", ["community", "street", "bureau", "leader"])
def test_no_page_answers_500_to_oversized_text_or_ids(world, actor):  # noqa: F811
    """A 5,000-character text in every field, an id past any integer column, on both engines: a page
    answers with a message or a 4xx, never a 500 (a 301-character reason was a 500 on PostgreSQL, an
    oversized id a 500 on SQLite)."""
    users, objects = world
    client = Client(raise_request_exception=False)
    client.force_login(users[actor])
    names = _field_names()
    texts = dict.fromkeys(names, "长" * 5000)
    ids = dict.fromkeys(names, HUGE_ID)
    crashes = []
    for pattern in _site_patterns():
        if pattern.startswith(("admin/", "accounts/")):
            continue
        url = _url_for(pattern, objects)
        huge = pattern
        for placeholder in (
            "<int:pk>",
            "<int:sign_in_pk>",
            "<int:photo_pk>",
            "<int:branch_pk>",
            "<int:cadre_pk>",
            "<int:venue_pk>",
            "<int:community_pk>",
        ):
            huge = huge.replace(placeholder, HUGE_ID)
        attempts = [
            ("post", url, {}),  # a POST with no fields (a button alone) is a bound, empty form
            ("get", url, ids),
            ("post", url, texts),
            ("post", url, ids),
            ("json", url, ids),
            ("json", url, texts),
        ]
        if huge != pattern:
            attempts.append(("get", _url_for(huge, objects), {}))
        for method, target, data in attempts:
            if method == "json":  # the phone's queue of taps kept offline, and any JSON endpoint to come
                taps = [{**data, "key": "8d9e6a0c-5a5b-4d2e-9f3e-1c2b3a4d5e6f", "at": ""}]
                response = client.post(target, {"taps": taps, **data}, content_type="application/json")
            else:
                response = getattr(client, method)(target, data)
            if response.status_code >= 500:
                crashes.append(f"{method.upper()} {target} → {response.status_code}")
    assert not crashes, crashes
