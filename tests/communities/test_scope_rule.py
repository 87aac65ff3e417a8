"""The whole scope rule, for every scoped model: ``for_user`` returns exactly the rows whose community
(reached in Python along the model's ``community_path``, not through the query being tested) is one the
account may see — no row missing, no row extra."""

import pytest
from django.apps import apps

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
    ResourceFactory,
    SignInFactory,
    TalentFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db


def scoped_models():
    return [
        model
        for model in apps.get_models()
        if not model.__name__.startswith("Historical")
        and isinstance(model._default_manager.get_queryset(), ScopedQuerySet)
    ]


def community_of(row, path: str):
    """Follow ``path`` ("cadre__community") attribute by attribute; the row itself when the path is empty."""
    target = row
    for part in filter(None, path.split("__")):
        target = getattr(target, part)
        if target is None:
            return None
    return target


@pytest.fixture
def district():
    """Street A with communities A1 and A2, street B with B1; rows of many scoped models in each."""
    a1 = CommunityFactory()
    a2 = CommunityFactory(street=a1.street)
    b1 = CommunityFactory()
    for community in (a1, a2, b1):
        cadre = CadreFactory(community=community)
        venue = VenueFactory(community=community)
        SignInFactory(activity=ActivityFactory(community=community, venue=venue), cadre=cadre)
        BranchMembershipFactory(branch__community=community, cadre=cadre)
        CareCaseFactory(cadre=cadre)
        NeedFactory(community=community)
        ResourceFactory(community=community)
        TalentFactory(cadre=cadre)
        GroupFactory(community=community)
    return a1, a2, b1


def _assert_exactly(user, allowed):
    checked = 0
    for model in scoped_models():
        path = model._default_manager.get_queryset().community_path
        everything = list(model._default_manager.all())
        expected = {row.pk for row in everything if community_of(row, path) in allowed}
        assert set(model.objects.for_user(user).values_list("pk", flat=True)) == expected, model._meta.label
        checked += bool(everything)
    assert checked >= 10, "the fixture gives most scoped models rows to check"


def test_the_district_sees_every_row_of_every_scoped_model(district):
    _assert_exactly(make_user(Role.BUREAU), set(district))


def test_a_street_sees_exactly_its_communities_rows(district):
    a1, a2, _b1 = district
    _assert_exactly(make_user(Role.STREET, street=a1.street), {a1, a2})


def test_a_community_sees_exactly_its_own_rows(district):
    a1, _a2, _b1 = district
    _assert_exactly(make_user(Role.COMMUNITY, community=a1), {a1})


def test_an_account_without_a_scope_sees_no_row(district):
    _assert_exactly(UserFactory(), set())
