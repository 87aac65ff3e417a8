"""The figures module on a hand-built district, checked against values counted here by hand."""

import datetime

import pytest

from activities.models import Activity
from cadres.models import PartyBranch
from communities.scope import DISTRICT, Scope
from portal.figures import Period, born_on_or_before_age, figures
from tests.factories import (
    ActivityFactory,
    CadreFactory,
    CommunityFactory,
    PartyBranchFactory,
    SignInFactory,
    StreetFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 11, 15)
NOVEMBER = Period.month(2026, 11)


def _born(age, days_after_birthday=0):
    """Someone who is ``age`` on AS_OF, ``days_after_birthday`` days past their birthday (0: birthday is today)."""
    return AS_OF.replace(year=AS_OF.year - age) - datetime.timedelta(days=days_after_birthday)


@pytest.fixture
def district():
    street_a, street_b = StreetFactory(), StreetFactory()
    a1 = CommunityFactory(street=street_a)
    a2 = CommunityFactory(street=street_a)
    b1 = CommunityFactory(street=street_b)
    people = [
        # (community, birth date, party member, membership held here, deceased on)
        (a1, _born(59, 1), True, True, None),  # 59
        (a1, _born(60), True, True, None),  # turns 60 today: counts as 60
        (a1, _born(75) + datetime.timedelta(days=1), True, True, None),  # 75 tomorrow: still 74
        (a1, _born(75), False, False, None),  # 75 today
        (a1, _born(91, 100), True, False, None),  # 91
        (a1, _born(80), True, True, datetime.date(2026, 1, 1)),  # deceased before: left out
        (a2, _born(82), True, True, None),
        (a2, _born(70), True, True, None),
        (a2, _born(66), False, False, None),
        (b1, _born(77), True, True, None),
        (b1, _born(88), True, True, None),
        (b1, _born(68), True, True, None),
    ]
    cadres = [
        CadreFactory(
            community=c, birth_date=born, is_party_member=member, membership_in_community=held, deceased_on=dead
        )  # fmt: skip
        for c, born, member, held, dead in people
    ]
    room_a1 = VenueFactory(community=a1, **{f: True for f in ("has_place", "has_facilities", "has_sign",
                                                                "has_flag", "has_materials", "has_rules")})  # fmt: skip
    room_b1 = VenueFactory(community=b1, has_place=True)  # a party room short of the six haves
    PartyBranchFactory(community=a1, kind=PartyBranch.Kind.FORMAL, venue=room_a1)
    PartyBranchFactory(community=a2, kind=PartyBranch.Kind.FUNCTIONAL)  # a2 has 2 held members only
    # b1 has 3 members held there and no formal branch: it needs one
    tz = datetime.UTC
    held = ActivityFactory(
        community=a1, venue=room_a1, kind=Activity.Kind.STUDY, starts_at=datetime.datetime(2026, 11, 3, 1, tzinfo=tz)
    )
    other = ActivityFactory(community=b1, venue=room_b1, kind=Activity.Kind.CULTURE_SPORTS,
                            starts_at=datetime.datetime(2026, 11, 20, 1, tzinfo=tz))  # fmt: skip
    ActivityFactory(community=a1, venue=room_a1, kind=Activity.Kind.STUDY, status=Activity.Status.CANCELLED,
                    starts_at=datetime.datetime(2026, 11, 5, 1, tzinfo=tz))  # fmt: skip
    ActivityFactory(community=a1, venue=room_a1, kind=Activity.Kind.STUDY,
                    starts_at=datetime.datetime(2026, 10, 30, 1, tzinfo=tz))  # fmt: skip
    for cadre in (cadres[0], cadres[1]):
        SignInFactory(activity=held, cadre=cadre)
    SignInFactory(activity=held, cadre=None, walk_in_name="居民甲")
    SignInFactory(activity=other, cadre=cadres[9])
    return {"street_a": street_a, "a1": a1, "cadres": cadres, "people": people}


def _expected_bands(people):
    bands = {"<60": 0, "60-69": 0, "70-74": 0, "75-79": 0, "80-89": 0, "90+": 0}
    for _c, born, _m, _h, dead in people:
        if dead:
            continue
        age = AS_OF.year - born.year - ((AS_OF.month, AS_OF.day) < (born.month, born.day))
        key = ("<60" if age < 60 else "60-69" if age < 70 else "70-74" if age < 75 else "75-79" if age < 80
               else "80-89" if age < 90 else "90+")  # fmt: skip
        bands[key] += 1
    return bands


def test_district_figures_match_a_count_by_hand(district):
    result = figures(DISTRICT, as_of=AS_OF, period=NOVEMBER)
    living = [p for p in district["people"] if p[4] is None]
    assert result["cadres_total"] == len(living) == 11
    assert result["party_members"] == sum(1 for p in living if p[2]) == 9
    assert result["age_bands"] == _expected_bands(district["people"])
    assert result["age_bands"] == {"<60": 1, "60-69": 3, "70-74": 2, "75-79": 2, "80-89": 2, "90+": 1}
    assert result["share_75_plus"] == round(5 / 11, 4)
    assert result["branches_by_kind"] == {"formal": 1, "functional": 1}
    assert result["communities_needing_branch"] == 1
    assert result["share_branches_without_venue"] == 0.5
    assert result["share_rooms_six_haves"] == 0.5
    assert result["activities_by_kind"]["study"] == 1  # the cancelled and the October ones are left out
    assert result["activities_by_kind"]["culture"] == 1
    assert result["sign_ins"] == 4
    assert result["unique_participants"] == 3
    assert result["participation_rate"] == round(3 / 9, 4)
    assert result["visits"] is None  # not recorded yet


def test_a_birthday_on_the_as_of_date_moves_a_cadre_into_the_next_band(district):
    before = figures(DISTRICT, as_of=AS_OF - datetime.timedelta(days=1), period=NOVEMBER)["age_bands"]
    on_the_day = figures(DISTRICT, as_of=AS_OF, period=NOVEMBER)["age_bands"]
    assert before["<60"] == on_the_day["<60"] + 1  # the one turning 60 today
    assert before["75-79"] == on_the_day["75-79"] - 1  # the one turning 75 today


def test_a_street_sees_only_its_communities(district):
    scope = Scope(level="street", street_id=district["street_a"].pk)
    result = figures(scope, as_of=AS_OF, period=NOVEMBER)
    assert result["cadres_total"] == 8
    assert result["communities_needing_branch"] == 0
    assert result["sign_ins"] == 3


def test_29_february_birthdays_count_from_1_march_in_common_years():
    assert born_on_or_before_age(80, datetime.date(2028, 2, 29)) == datetime.date(1948, 2, 29)
    assert born_on_or_before_age(79, datetime.date(2028, 2, 29)) == datetime.date(1949, 2, 28)


def test_the_dashboard_shows_the_figures_for_the_users_scope(client, leader_user, district):
    client.force_login(leader_user)
    response = client.get("/dashboard/")
    assert response.context["figures"]["cadres_total"] == 11
