"""More than one district: scope at every level, each person counted once, the city drilled down, ledgers rolled up."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.models import Role
from activities.models import Activity, SignIn
from cadres.models import BranchMembership, Cadre, PartyBranch
from communities.models import Community, District, Street, Venue
from core.dates import Period, next_month, previous_month
from core.scope import CITY, Scope, district, scope_of
from portal.figures import figures
from portal.ledger_runs import build_month, plan
from portal.models import LedgerReport, LedgerRun
from tests.conftest import make_user
from tests.factories import (
    ActivityFactory,
    BranchMembershipFactory,
    CadreFactory,
    CommunityFactory,
    DistrictFactory,
    PartyBranchFactory,
    SignInFactory,
    StreetFactory,
    UnitFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    """Two districts of two streets, a community each; an original unit whose retirees live in both."""
    districts = [DistrictFactory(name="章丘区"), DistrictFactory(name="历下区")]
    unit = UnitFactory(name="市教育局")
    places = {}
    for d, place in enumerate(districts):
        for s in range(2):
            street = StreetFactory(district=place, name=f"{place.name}{s + 1}街道")
            community = CommunityFactory(street=street, name=f"{place.name}{s + 1}社区")
            venue = VenueFactory(community=community)
            cadres = CadreFactory.create_batch(2 + d + s, community=community, is_party_member=True)
            cadres[0].former_unit = unit
            cadres[0].save()
            branch = PartyBranchFactory(community=community, venue=venue)
            for cadre in cadres:
                BranchMembershipFactory(branch=branch, cadre=cadre)
            starts = timezone.localtime().replace(day=1, hour=9, minute=0, second=0, microsecond=0)
            activity = ActivityFactory(community=community, venue=venue, starts_at=starts, organiser_branch=branch)
            SignInFactory(activity=activity, cadre=cadres[0])
            places[(d, s)] = {"street": street, "community": community, "branch": branch, "cadres": cadres}
    return {"districts": districts, "unit": unit, "places": places}


SCOPED = [Cadre, PartyBranch, BranchMembership, Activity, SignIn, Venue, Community]


def _sees(user, model):
    return set(model.objects.for_user(user).values_list("pk", flat=True))


def test_each_level_sees_exactly_its_part_of_the_city(city):
    first, second = city["districts"]
    place = city["places"][(0, 1)]
    accounts = {
        "city": make_user(Role.LEADER, city=True),
        "district": make_user(Role.BUREAU, district=first),
        "street": make_user(Role.STREET, street=place["street"]),
        "community": make_user(Role.COMMUNITY, community=place["community"]),
    }
    expected_community = {
        "city": Community.objects.all(),
        "district": Community.objects.filter(street__district=first),
        "street": Community.objects.filter(street=place["street"]),
        "community": Community.objects.filter(pk=place["community"].pk),
    }
    for level, user in accounts.items():
        assert scope_of(user).level == level
        communities = set(expected_community[level].values_list("pk", flat=True))
        assert _sees(user, Community) == communities
        for model in SCOPED[:-1]:
            # every row seen lies in the level's communities, and every row there is seen
            path = model.objects.all().community_path or "pk"
            inside = set(
                model.objects.filter(**{f"{path}__in" if path != "pk" else "pk__in": communities}).values_list(
                    "pk", flat=True
                )
            )
            assert _sees(user, model) == inside, (level, model.__name__)
    assert set(District.objects.for_user(accounts["district"])) == {first}
    assert set(Street.objects.for_user(accounts["district"])) == set(Street.objects.filter(district=first))
    assert second not in District.objects.for_user(accounts["street"])


def test_unit_staff_see_their_retirees_in_every_district_and_nothing_else(city):
    unit = city["unit"]
    staff = make_user(Role.UNIT, unit=unit)
    assert scope_of(staff) == Scope(level="unit", unit_id=unit.pk)
    mine = set(Cadre.objects.filter(former_unit=unit).values_list("pk", flat=True))
    assert len(mine) == 4  # one in each community of both districts
    assert {c.community.street.district_id for c in Cadre.objects.filter(pk__in=mine)} == {
        d.pk for d in city["districts"]
    }
    assert _sees(staff, Cadre) == mine
    # the unit's own branch meets in one community; its members, activities and sign-ins are the unit's
    place = city["places"][(1, 0)]
    branch = PartyBranchFactory(community=place["community"], owner=unit, kind=PartyBranch.Kind.FORMAL)
    joined = CadreFactory(community=place["community"], is_party_member=True)  # one home: this branch
    member = BranchMembershipFactory(branch=branch, cadre=joined)
    activity = ActivityFactory(community=place["community"], organiser_branch=branch)
    sign_in = SignInFactory(activity=activity, cadre=joined)
    assert _sees(staff, PartyBranch) == {branch.pk}
    assert _sees(staff, BranchMembership) == {member.pk}
    assert _sees(staff, Activity) == {activity.pk}
    assert _sees(staff, SignIn) == {sign_in.pk}
    # places, care, needs and the rest of the roster stay out of sight
    for model in (Community, Venue, Street, District):
        assert not model.objects.for_user(staff).exists(), model.__name__


def test_each_person_is_counted_once_in_district_and_city_totals(city):
    month = timezone.localdate().replace(day=1)
    period = Period(month, next_month(month))
    as_of = timezone.localdate()
    totals = {}
    for place in city["districts"]:
        numbers = figures(district(place.pk), as_of=as_of, period=period)
        direct = Cadre.objects.filter(community__street__district=place)
        assert numbers["cadres_total"] == direct.count()
        assert numbers["party_members"] == direct.filter(is_party_member=True).count()
        assert numbers["sign_ins"] == SignIn.objects.filter(activity__community__street__district=place).count()
        totals[place.pk] = numbers
    whole = figures(CITY, as_of=as_of, period=period)
    assert whole["cadres_total"] == Cadre.objects.count() == sum(n["cadres_total"] for n in totals.values())
    assert whole["party_members"] == Cadre.objects.filter(is_party_member=True).count()
    assert whole["unique_participants"] == SignIn.objects.values("cadre").distinct().count()


def test_the_city_leader_drills_down_to_one_community(client, city):
    first = city["districts"][0]
    place = city["places"][(0, 1)]
    client.force_login(make_user(Role.LEADER, city=True))
    top = client.get("/dashboard/")
    assert [row["name"] for row in top.context["children"]] == ["章丘区", "历下区"]
    assert [row["level"] for row in top.context["children"]] == ["district", "district"]
    assert top.context["figures"]["cadres_total"] == Cadre.objects.count()
    one = client.get("/dashboard/", {"district": first.pk})
    assert [row["name"] for row in one.context["children"]] == ["章丘区1街道", "章丘区2街道"]
    assert one.context["figures"]["cadres_total"] == Cadre.objects.filter(community__street__district=first).count()
    street = client.get("/dashboard/", {"street": place["street"].pk})
    assert [row["name"] for row in street.context["children"]] == ["章丘区2社区"]
    community = client.get("/dashboard/", {"community": place["community"].pk})
    assert [name for name, _params in community.context["crumbs"]] == ["全市", "章丘区", "章丘区2街道", "章丘区2社区"]
    assert community.context["figures"]["cadres_total"] == len(place["cadres"])


def test_a_district_leader_cannot_drill_into_another_district(client, city):
    first, second = city["districts"]
    client.force_login(make_user(Role.LEADER, district=first))
    assert (
        client.get("/dashboard/").context["figures"]["cadres_total"]
        == Cadre.objects.filter(community__street__district=first).count()
    )
    assert client.get("/dashboard/", {"district": second.pk}).status_code == 404
    assert client.get("/dashboard/", {"street": city["places"][(1, 0)]["street"].pk}).status_code == 404
    assert client.get("/dashboard/", {"community": city["places"][(1, 1)]["community"].pk}).status_code == 404
    assert client.get("/dashboard/", {"district": "x"}).status_code == 404


def test_the_ledgers_roll_up_community_street_district_city(city):
    keys = [key for key, _parent in plan()]
    assert [key.split(":")[0] for key in keys].count("district") == 2 and keys[-1] == "city:"
    parents = dict(plan())
    for place in city["districts"]:
        assert parents[f"district:{place.pk}"] == "city:"
    last = previous_month(timezone.localdate().replace(day=1))
    run = build_month(month=last, trigger=LedgerRun.Trigger.COMMAND)
    assert run.status == LedgerRun.Status.DONE
    reports = LedgerReport.objects.filter(period_start=last, kind="month")
    assert reports.filter(level="city").count() == 1
    assert set(reports.filter(level="district").values_list("district", flat=True)) == {d.pk for d in city["districts"]}
    city_report = reports.get(level="city")
    districts = reports.filter(level="district")
    assert city_report.figures["cadres_total"] == sum(r.figures["cadres_total"] for r in districts)
    # a district's bureau lists its own district's ledgers only
    bureau = make_user(Role.BUREAU, district=city["districts"][0])
    seen = LedgerReport.objects.for_user(bureau)
    assert not seen.filter(level="city").exists()
    assert set(seen.filter(level="district").values_list("district", flat=True)) == {city["districts"][0].pk}
    assert not seen.filter(community__street__district=city["districts"][1]).exists()


def test_a_single_district_installation_has_no_city_ledger(community):
    assert not [key for key, _parent in plan() if key.startswith("city")]


@pytest.mark.django_db(transaction=True)
def test_existing_streets_and_district_accounts_move_into_one_district():
    before = [("communities", "0005_staffscope_moved_to_accounts")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Street = old.get_model("communities", "Street")  # noqa: N806 - a model class
    StaffScope = old.get_model("accounts", "StaffScope")  # noqa: N806
    User = old.get_model("auth", "User")  # noqa: N806
    Street.objects.create(name="明水街道", code="370181001")
    Street.objects.create(name="双山街道", code="370181002")
    StaffScope.objects.create(user=User.objects.create(username="bureau-old"), level="district")
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        new = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps
        District = new.get_model("communities", "District")  # noqa: N806
        Street = new.get_model("communities", "Street")  # noqa: N806
        StaffScope = new.get_model("accounts", "StaffScope")  # noqa: N806
        place = District.objects.get()
        assert (place.code, place.name) == ("370181", "本区")
        assert set(Street.objects.values_list("district", flat=True)) == {place.pk}
        assert StaffScope.objects.get(user__username="bureau-old").district_id == place.pk
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
