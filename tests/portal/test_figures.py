"""The figures module on a hand-built district, checked against values counted here by hand."""

import datetime
import re

import pytest

from accounts.models import Role
from activities.models import Activity
from activities.services import move_need, record_service, redeem_points
from cadres.models import PartyBranch
from cadres.services import record_visit
from core.scope import Scope
from portal.figures import FIGURE_KEYS, Period, born_on_or_before_age, figures
from tests.conftest import make_user
from tests.factories import (
    ActivityFactory,
    CadreFactory,
    CareCaseFactory,
    CommunityFactory,
    NeedFactory,
    PartyBranchFactory,
    SignInFactory,
    StreetFactory,
    TalentFactory,
    VenueFactory,
    district_scope,
    the_district,
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
        )
        for c, born, member, held, dead in people
    ]
    room_a1 = VenueFactory(
        community=a1,
        **{f: True for f in ("has_place", "has_facilities", "has_sign", "has_flag", "has_materials", "has_rules")},
    )
    room_b1 = VenueFactory(community=b1, has_place=True)  # a party room short of the six haves
    PartyBranchFactory(community=a1, kind=PartyBranch.Kind.FORMAL, venue=room_a1)
    PartyBranchFactory(community=a2, kind=PartyBranch.Kind.FUNCTIONAL)  # a2 has 2 held members only
    # b1 has 3 members held there and no formal branch: it needs one
    tz = datetime.UTC
    held = ActivityFactory(
        community=a1, venue=room_a1, kind=Activity.Kind.STUDY, starts_at=datetime.datetime(2026, 11, 3, 1, tzinfo=tz)
    )
    other = ActivityFactory(
        community=b1,
        venue=room_b1,
        kind=Activity.Kind.CULTURE_SPORTS,
        starts_at=datetime.datetime(2026, 11, 20, 1, tzinfo=tz),
    )
    ActivityFactory(
        community=a1,
        venue=room_a1,
        kind=Activity.Kind.STUDY,
        status=Activity.Status.CANCELLED,
        starts_at=datetime.datetime(2026, 11, 5, 1, tzinfo=tz),
    )
    ActivityFactory(
        community=a1, venue=room_a1, kind=Activity.Kind.STUDY, starts_at=datetime.datetime(2026, 10, 30, 1, tzinfo=tz)
    )
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
        key = (
            "<60"
            if age < 60
            else "60-69"
            if age < 70
            else "70-74"
            if age < 75
            else "75-79"
            if age < 80
            else "80-89"
            if age < 90
            else "90+"
        )
        bands[key] += 1
    return bands


def test_district_figures_match_a_count_by_hand(district):
    result = figures(district_scope(), as_of=AS_OF, period=NOVEMBER)
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
    assert set(result) == set(FIGURE_KEYS)


@pytest.fixture
def care_and_lists(district):
    """Care cases, visits, needs, the time bank and talents around AS_OF (15 November 2026), counted by hand below."""
    a1, cadres = district["a1"], district["cadres"]
    clerk = make_user(Role.BUREAU)
    # care: one monthly case last visited 20 October (due 19 November: not overdue on the 15th), one visited
    # 1 October (due 31 October: overdue), one opened 1 November (not due yet), one closed
    on_time = CareCaseFactory(cadre=cadres[0], opened_on=datetime.date(2026, 6, 1))
    late = CareCaseFactory(cadre=cadres[1], opened_on=datetime.date(2026, 6, 1))
    CareCaseFactory(cadre=cadres[6], opened_on=datetime.date(2026, 11, 1))
    CareCaseFactory(cadre=cadres[9], opened_on=datetime.date(2026, 1, 1), closed_on=datetime.date(2026, 5, 1))
    record_visit(cadre=on_time.cadre, visited_on=datetime.date(2026, 10, 20), visitors="甲")
    record_visit(cadre=late.cadre, visited_on=datetime.date(2026, 10, 1), visitors="甲")
    record_visit(cadre=cadres[2], visited_on=datetime.date(2026, 11, 3), visitors="甲")  # in November
    record_visit(cadre=cadres[3], visited_on=datetime.date(2026, 11, 14), visitors="甲")  # in November

    # needs: raised in Nov: n1, n2, n3; resolved in Nov: n1 (3 days), n4 (raised in Oct, 10 days), n5 (6 days)
    def need(raised, matched=None, resolved=None, closed=None):
        item = NeedFactory(community=a1, raised_on=raised)
        if matched:
            move_need(need=item, to="matched", on=matched, taken_by_name="社区")
        if resolved:
            move_need(need=item, to="resolved", on=resolved)
        if closed:
            move_need(need=item, to="closed", on=closed)
        return item

    day = lambda d: datetime.date(2026, 11, d)  # noqa: E731
    need(day(2), day(3), day(5))  # 3 days
    need(day(10), day(11))  # matched: still open
    need(day(20))  # raised after AS_OF: counted as raised in November, not open on the 15th
    need(datetime.date(2026, 10, 28), day(1), day(7))  # 10 days
    need(datetime.date(2026, 10, 30), day(2), day(5))  # 6 days
    need(datetime.date(2026, 10, 1), closed=datetime.date(2026, 10, 2))  # closed: not open
    need(datetime.date(2026, 9, 1))  # open since September
    # time bank: 2.5 h in November (25 points), 1 h in October (10 points), 12 points redeemed in Nov
    record_service(cadre=cadres[0], served_on=day(4), hours="2.5", description="助餐", verified_by=clerk)
    record_service(
        cadre=cadres[1], served_on=datetime.date(2026, 10, 9), hours=1, description="陪诊", verified_by=clerk
    )
    redeem_points(cadre=cadres[0], points=12, item="理发", on=day(6), by=clerk)
    TalentFactory(cadre=cadres[0], category="culture")
    TalentFactory(cadre=cadres[1], category="culture")
    TalentFactory(cadre=cadres[9], category="theory")
    TalentFactory(cadre=cadres[5], category="theory")  # deceased: not counted
    return district


def test_care_needs_time_bank_and_talent_figures_match_a_count_by_hand(care_and_lists):
    result = figures(district_scope(), as_of=AS_OF, period=NOVEMBER)
    assert result["visits"] == 2
    assert result["care_overdue"] == 1
    assert (result["needs_opened"], result["needs_resolved"], result["needs_open"]) == (3, 3, 2)
    assert result["median_days_to_resolve"] == 6  # of 3, 6 and 10 days
    assert result["service_hours"] == 2.5
    assert result["points_redeemed"] == 12
    assert result["points_outstanding"] == 25 + 10 - 12
    assert result["talents_by_category"]["culture"] == 2
    assert result["talents_by_category"]["theory"] == 1


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two():
    from portal.figures import _median_days

    assert _median_days({3: 1, 6: 1, 10: 1, 20: 1}) == 8
    assert _median_days({2: 3}) == 2
    assert _median_days({}) is None


def test_the_breakdown_of_the_district_gives_each_street(care_and_lists):
    from portal.figures import breakdown

    rows = {row["pk"]: row for row in breakdown(district_scope(), as_of=AS_OF, period=NOVEMBER)}
    street_a = rows[care_and_lists["street_a"].pk]
    assert (street_a["cadres_total"], street_a["sign_ins"], street_a["care_overdue"], street_a["needs_open"]) == (
        8,
        3,
        1,
        2,
    )
    assert sum(row["cadres_total"] for row in rows.values()) == 11


def test_a_birthday_on_the_as_of_date_moves_a_cadre_into_the_next_band(district):
    before = figures(district_scope(), as_of=AS_OF - datetime.timedelta(days=1), period=NOVEMBER)["age_bands"]
    on_the_day = figures(district_scope(), as_of=AS_OF, period=NOVEMBER)["age_bands"]
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


@pytest.mark.parametrize("level", ["district", "street"])
def test_the_dashboards_shared_count_gives_the_same_figures_as_each_scope_counted_alone(care_and_lists, level):
    from portal.figures import live_month

    # one person takes part in both streets: counted once in the district, once in each street
    traveller = care_and_lists["cadres"][0]
    away = ActivityFactory(
        community=CommunityFactory(street=StreetFactory()),
        starts_at=datetime.datetime(2026, 11, 10, 1, tzinfo=datetime.UTC),
    )
    SignInFactory(activity=away, cadre=traveller)
    scope = district_scope() if level == "district" else Scope(level="street", street_id=care_and_lists["street_a"].pk)
    numbers, rows = live_month(scope, as_of=AS_OF, period=NOVEMBER)
    assert numbers == figures(scope, as_of=AS_OF, period=NOVEMBER)
    assert sum(row["sign_ins"] for row in rows) == numbers["sign_ins"]
    assert sum(row["cadres_total"] for row in rows) == numbers["cadres_total"]
    if level == "district":
        assert sum(row["unique_participants"] for row in rows) == numbers["unique_participants"] + 1


def test_the_open_months_dashboard_counts_the_sign_ins_twice_at_most(care_and_lists, leader_user, client):
    """The figures, the drill-down table and the series of the open month share their scans of the sign-ins."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from core.dates import month_start, months_back
    from portal.models import LedgerReport

    open_month = month_start(timezone.localdate())
    for back in range(1, 12):  # the closed months of the series have their district ledgers
        month = months_back(open_month, back)
        period = Period(month, months_back(open_month, back - 1))
        LedgerReport.objects.create(
            kind=LedgerReport.Kind.MONTH,
            level=LedgerReport.Level.DISTRICT,
            district=the_district(),
            period_start=month,
            figures=figures(district_scope(), as_of=period.last_day, period=period),
            built_at=timezone.now(),
        )
    client.force_login(leader_user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/dashboard/").status_code == 200
    # the branch attendance figure looks up the sign-ins of each branch member by index, never scans them
    scans = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "activities_signin"' in q["sql"] and 'FROM "cadres_branchmembership"' not in q["sql"]
    ]
    # the queries reading the roster itself (the branch rule reads it only as a subquery of the communities)
    roster = [
        q["sql"] for q in queries.captured_queries if re.match(r'SELECT (?:(?! FROM ).)* FROM "cadres_cadre"', q["sql"])
    ]
    assert len(scans) <= 2, scans
    # one for the design card's cadre figures, one for where the party members belong (membership_figures)
    assert len(roster) <= 2, roster
