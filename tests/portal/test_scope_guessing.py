"""Guessing primary keys never reaches another community's rows."""

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from accounts.models import Role
from core.scope import ScopedQuerySet
from tests.conftest import make_user
from tests.factories import (
    ActivityFactory,
    BranchMembershipFactory,
    CadreFactory,
    CareCaseFactory,
    CommunityFactory,
    GroupFactory,
    NeedFactory,
    PartyBranchFactory,
    ResourceFactory,
    SignInFactory,
    TalentFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db


def _scoped_admin_models():
    """Every model registered in the admin whose rows belong to a community (a ScopedQuerySet)."""
    return [
        model for model in admin.site._registry if isinstance(model._default_manager.get_queryset(), ScopedQuerySet)
    ]


SCOPED = {model._meta.label for model in _scoped_admin_models()}


@pytest.fixture
def community_b():
    """Community B with rows of the scoped models (every one the factories can make)."""
    community = CommunityFactory()
    venue = VenueFactory(community=community)
    cadre = CadreFactory(community=community)
    branch = PartyBranchFactory(community=community, venue=venue)
    BranchMembershipFactory(branch=branch, cadre=cadre)
    SignInFactory(activity=ActivityFactory(community=community, venue=venue), cadre=cadre)
    CareCaseFactory(cadre=cadre)
    NeedFactory(community=community)
    ResourceFactory(community=community)
    TalentFactory(cadre=cadre)
    GroupFactory(community=community)
    return community


def _object_urls(model, pks):
    info = model._meta.app_label, model._meta.model_name
    for pk in pks:
        for view in ("change", "history", "delete"):
            try:
                yield reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[pk])
            except NoReverseMatch:
                continue


def test_a_street_admin_guessing_keys_of_another_street_gets_nothing(client, community_b):
    own = CommunityFactory()
    client.force_login(make_user(Role.STREET, street=own.street))
    guessed = 0
    for model in admin.site._registry:
        if model._meta.label not in SCOPED:
            continue
        pks = list(model.objects.in_community(community_b).values_list("pk", flat=True)) + [999_999]
        guessed += len(pks) > 1
        for url in _object_urls(model, pks):
            status = client.get(url).status_code
            assert status in (403, 404), (url, status)
        listing = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
        theirs = set(model.objects.in_community(community_b))
        assert not set(listing.context["cl"].result_list) & theirs, model
    assert guessed >= 12, f"only {guessed} of {len(SCOPED)} scoped admin models had rows of B to guess"


def test_a_community_worker_reaches_no_admin_page_of_any_community(client, community_b):
    own = CommunityFactory()
    client.force_login(make_user(Role.COMMUNITY, community=own))
    for model in admin.site._registry:
        if model._meta.label not in SCOPED:
            continue
        for url in _object_urls(model, model.objects.values_list("pk", flat=True)):
            assert client.get(url).status_code == 302, url
    response = client.get(
        "/admin/autocomplete/", {"app_label": "cadres", "model_name": "cadre", "field_name": "community", "term": ""}
    )
    assert response.status_code == 302


def test_the_worker_home_shows_nothing_of_another_community(client, community_b):
    from django.utils import timezone

    ActivityFactory(community=community_b, title="乙社区的活动", starts_at=timezone.now())
    own = CommunityFactory()
    client.force_login(make_user(Role.COMMUNITY, community=own))
    assert "乙社区的活动" not in client.get("/worker/").content.decode()
