"""The whole scope rule, for every scoped model: ``for_user`` returns exactly the rows whose community — or,
for a unit's staff, whose unit — is one the account may see: no row missing, no row extra.

Whose row it is, is written here by hand for each model (``COMMUNITY_OF``, ``UNITS_OF``), from what the
design card says, not read from the model's own ``community_path``: a path that points at the wrong
community (a follow-up scoped by the room that was lent instead of the branch that owns it) fails here.
A new scoped model fails until it is added."""

import datetime

import pytest
from django.apps import apps

from accounts.models import Role
from activities.models import FollowUp
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
    UnitFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 1, 5)  # a follow-up's day


def scoped_models():
    return [
        model
        for model in apps.get_models()
        if not model.__name__.startswith("Historical")
        and isinstance(model._default_manager.get_queryset(), ScopedQuerySet)
    ]


def _branch_owner(activity):
    return activity.organiser_branch.owner if activity.organiser_branch else None


# the community a row belongs to, by the design card (a follow-up is the branch's organisation's)
COMMUNITY_OF = {
    "communities.Community": lambda r: r,
    "communities.Venue": lambda r: r.community,
    "approvals.MonthApproval": lambda r: r.community,
    "approvals.MonthChange": lambda r: r.community,
    "cadres.Cadre": lambda r: r.community,
    "cadres.PartyBranch": lambda r: r.community,
    "cadres.BranchMembership": lambda r: r.branch.community,
    "cadres.CareCase": lambda r: r.cadre.community,
    "cadres.Visit": lambda r: r.cadre.community,
    "cadres.LeaderLink": lambda r: r.cadre.community,
    "cadres.Group": lambda r: r.community,
    "cadres.GroupMembership": lambda r: r.group.community,
    "cadres.Talent": lambda r: r.cadre.community,
    "cadres.ResidenceRegistration": lambda r: r.community,
    "cadres.MobileMember": lambda r: r.cadre.community,
    "activities.Activity": lambda r: r.community,
    "activities.ActivitySeries": lambda r: r.community,
    "activities.SignIn": lambda r: r.activity.community,
    "activities.ActivityPhoto": lambda r: r.activity.community,
    "activities.FollowUp": lambda r: r.activity.organiser_branch.community,
    "activities.Resource": lambda r: r.community,
    "activities.Need": lambda r: r.community,
    "activities.NeedChange": lambda r: r.need.community,
    "activities.Project": lambda r: r.community,
    "activities.RoomRequest": lambda r: r.venue.community,
    "activities.ServiceRecord": lambda r: r.cadre.community,
    "activities.Redemption": lambda r: r.cadre.community,
    "portal.WeeklyReminder": lambda r: r.community,
}
# the units whose staff see a row: a cadre's original and managing units, a branch's owner, and what hangs
# from them; the rest (care, needs, the time bank, rooms) is a community's only
UNITS_OF = {
    "cadres.Cadre": lambda r: {r.former_unit, r.managing_unit},
    "cadres.PartyBranch": lambda r: {r.owner},
    "cadres.BranchMembership": lambda r: {r.branch.owner},
    "cadres.ResidenceRegistration": lambda r: {r.cadre.former_unit, r.cadre.managing_unit},
    "cadres.MobileMember": lambda r: {r.cadre.former_unit, r.cadre.managing_unit},
    "activities.Activity": lambda r: {_branch_owner(r)},
    "activities.ActivitySeries": lambda r: {_branch_owner(r)},
    "activities.SignIn": lambda r: {_branch_owner(r.activity)},
    "activities.ActivityPhoto": lambda r: {_branch_owner(r.activity)},
    "activities.FollowUp": lambda r: {_branch_owner(r.activity)},
    "activities.RoomRequest": lambda r: {r.branch.owner if r.branch else None},
}


def test_every_scoped_model_says_whose_its_rows_are():
    assert {model._meta.label for model in scoped_models()} == set(COMMUNITY_OF)
    assert set(UNITS_OF) <= set(COMMUNITY_OF)


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
    # a branch of A1 holds its 主题党日 in B1's room (共享阵地): its follow-up is A1's, not B1's
    guest = ActivityFactory(
        community=b1, venue=VenueFactory(community=b1), organiser_branch=PartyBranchFactory(community=a1)
    )
    FollowUp.objects.create(activity=guest, cadre=CadreFactory(community=a1), how="home", done_on=DAY)
    return a1, a2, b1


def _assert_exactly(user, allowed, *, units=()):
    """``allowed``: the communities the account sees; ``units``: for unit staff, their unit instead."""
    checked = 0
    for model in scoped_models():
        label = model._meta.label
        everything = list(model._default_manager.all())
        if units:
            expected = {row.pk for row in everything if set(units) & UNITS_OF.get(label, lambda r: set())(row)}
        else:
            expected = {row.pk for row in everything if COMMUNITY_OF[label](row) in allowed}
        assert set(model.objects.for_user(user).values_list("pk", flat=True)) == expected, label
        checked += bool(expected if units else everything)  # a unit's rows are few: count the ones it sees
    assert checked >= (5 if units else 10), "the fixture gives the scoped models rows to check"


def test_the_district_sees_every_row_of_every_scoped_model(district):
    _assert_exactly(make_user(Role.BUREAU), set(district))


def test_a_street_sees_exactly_its_communities_rows(district):
    a1, a2, _b1 = district
    _assert_exactly(make_user(Role.STREET, street=a1.street), {a1, a2})


def test_a_community_sees_exactly_its_own_rows(district):
    a1, _a2, _b1 = district
    _assert_exactly(make_user(Role.COMMUNITY, community=a1), {a1})


def test_a_units_staff_see_exactly_their_retirees_and_branches_wherever_they_are(district):
    a1, a2, b1 = district
    unit, other = UnitFactory(name="区教育局"), UnitFactory(name="区人民医院")
    retiree = CadreFactory(community=a1, former_unit=unit)
    looked_after = CadreFactory(community=b1, managing_unit=unit)
    CadreFactory(community=a2, former_unit=other)
    branch = PartyBranchFactory(community=a2, owner=unit)
    BranchMembershipFactory(branch=branch, cadre=retiree)
    activity = ActivityFactory(community=b1, venue=VenueFactory(community=b1), organiser_branch=branch)
    SignInFactory(activity=activity, cadre=looked_after)
    FollowUp.objects.create(activity=activity, cadre=retiree, how="phone", done_on=DAY)
    _assert_exactly(make_user(Role.UNIT, unit=unit), set(), units={unit})


def test_an_account_without_a_scope_sees_no_row(district):
    _assert_exactly(UserFactory(), set())
