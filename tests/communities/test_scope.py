import pytest

from accounts.models import Role
from activities.models import SignIn
from cadres.models import BranchMembership, Cadre
from communities.models import Community, Street, Venue
from tests.conftest import make_user
from tests.factories import BranchMembershipFactory, CadreFactory, CommunityFactory, SignInFactory, VenueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_streets():
    """Street A with communities A1, A2; street B with community B1; a cadre, venue and sign-in in each."""
    a1 = CommunityFactory()
    a2 = CommunityFactory(street=a1.street)
    b1 = CommunityFactory()
    for community in (a1, a2, b1):
        CadreFactory(community=community)
        VenueFactory(community=community)
        SignInFactory(activity__community=community)
        BranchMembershipFactory(branch__community=community)
    return a1, a2, b1


def test_a_bureau_account_sees_the_whole_district(two_streets):
    user = make_user(Role.BUREAU)
    assert Community.objects.for_user(user).count() == 3
    assert Cadre.objects.for_user(user).count() == Cadre.objects.count()


def test_a_street_account_sees_its_street_only(two_streets):
    a1, a2, b1 = two_streets
    user = make_user(Role.STREET, street=a1.street)
    assert set(Community.objects.for_user(user)) == {a1, a2}
    assert set(Street.objects.for_user(user)) == {a1.street}
    assert {c.community for c in Cadre.objects.for_user(user)} == {a1, a2}
    assert not Venue.objects.for_user(user).filter(community=b1).exists()
    assert not SignIn.objects.for_user(user).filter(activity__community=b1).exists()


def test_a_community_account_sees_its_community_only(two_streets):
    a1, a2, b1 = two_streets
    user = make_user(Role.COMMUNITY, community=a1)
    assert list(Community.objects.for_user(user)) == [a1]
    assert set(Street.objects.for_user(user)) == {a1.street}
    assert {c.community for c in Cadre.objects.for_user(user)} == {a1}
    assert {m.branch.community for m in BranchMembership.objects.for_user(user)} == {a1}
    assert {s.activity.community for s in SignIn.objects.for_user(user)} == {a1}


def test_an_account_without_a_scope_sees_nothing(two_streets):
    from tests.factories import UserFactory

    user = UserFactory()
    assert not Community.objects.for_user(user).exists()
    assert not Cadre.objects.for_user(user).exists()
