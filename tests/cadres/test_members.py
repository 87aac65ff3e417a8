"""一方隶属、多方管理: one home per member, the registration and mobile-member lists, unit staff's scope,
and shared rooms that cannot be booked twice."""

import datetime
import random

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import Role
from activities.models import Activity, RoomRequest
from activities.services.rooms import accept_request, decline_request, request_room
from cadres import members
from cadres.models import BranchMembership, Cadre, MobileMember, PartyBranch
from core.dates import Period
from core.scope import scope_of
from tests.conftest import make_user
from tests.factories import (
    ActivityFactory,
    BranchMembershipFactory,
    CadreFactory,
    CommunityFactory,
    PartyBranchFactory,
    UnitFactory,
    VenueFactory,
)

TODAY = datetime.date(2026, 12, 1)
HELD, TAKES_PART = BranchMembership.Relation.HELD, BranchMembership.Relation.FUNCTIONAL


@pytest.fixture
def town(db):
    """A unit whose branch meets in community A; its retirees live in A and in B."""
    home, elsewhere = CommunityFactory(), CommunityFactory()
    unit = UnitFactory(name="区教育局")
    branch = PartyBranchFactory(community=home, owner=unit, name="区教育局离退休干部党支部")
    near = CadreFactory(community=home, former_unit=unit, name="王近")
    far = CadreFactory(community=elsewhere, former_unit=unit, name="李远")
    for cadre in (near, far):
        BranchMembershipFactory(branch=branch, cadre=cadre, relation=HELD)
    return home, elsewhere, unit, branch, near, far


def _names(queryset):
    return sorted(c.name for c in queryset)


def test_a_member_living_away_from_their_branch_is_to_do_until_they_report(town):
    home, elsewhere, _unit, _branch, near, far = town
    scope = scope_of(make_user(Role.COMMUNITY, community=elsewhere))
    assert _names(members.not_registered(scope, TODAY)) == ["李远"]
    assert _names(members.not_registered(scope_of(make_user(Role.COMMUNITY, community=home)), TODAY)) == []

    registration = members.register(cadre=far, on=TODAY)

    assert _names(members.not_registered(scope, TODAY)) == []
    listed = list(members.registrations(scope))
    assert [(r.cadre.name, r.home_branch, r.home_unit) for r in listed] == [
        ("李远", "区教育局离退休干部党支部", "区教育局")
    ]
    with pytest.raises(Exception, match="已在一个社区报到"):
        members.register(cadre=far, on=TODAY)
    assert registration.pk


def test_a_member_away_is_on_the_mobile_list_and_overdue_until_contacted(town):
    *_rest, far = town
    mobile = MobileMember.objects.create(
        cadre=far, place="广东省深圳市", contact="13812345678", left_on=TODAY - datetime.timedelta(days=200)
    )
    scope = scope_of(make_user(Role.COMMUNITY, community=far.community))
    assert _names(members.not_registered(scope, TODAY)) == []  # away: not a to-do of the community
    (listed,) = members.by_due_date(members.mobile_members(scope), TODAY)
    assert listed.days_overdue == 200 - 90

    members.record_contact(mobile=mobile, on=TODAY - datetime.timedelta(days=10), note="电话联系，身体好")
    (listed,) = members.by_due_date(members.mobile_members(scope), TODAY)
    assert listed.last_seen == TODAY - datetime.timedelta(days=10)
    assert listed.days_overdue < 0

    members.mark_returned(mobile=mobile, on=TODAY)
    assert list(members.mobile_members(scope)) == []
    assert _names(members.not_registered(scope, TODAY)) == ["李远"]  # back home: reports where they live


def test_a_member_without_any_home_is_listed_and_a_home_elsewhere_counts(town):
    home, *_rest = town
    lost = CadreFactory(community=home, name="赵无")
    outside = CadreFactory(community=home, name="钱外", membership_elsewhere="济南市历下区某街道党工委")
    scope = scope_of(make_user(Role.COMMUNITY, community=home))
    assert _names(members.without_home(scope, TODAY)) == ["赵无"]
    assert outside.pk and lost.pk


def test_a_member_has_one_home_branch_at_most(town):
    home, _elsewhere, _unit, _branch, near, _far = town
    other = PartyBranchFactory(community=home)
    BranchMembershipFactory(branch=other, cadre=near, relation=TAKES_PART)  # 双重组织生活: allowed
    with pytest.raises(IntegrityError), transaction.atomic():
        BranchMembership.objects.filter(cadre=near, branch=other).update(relation=HELD)
    assert BranchMembership.objects.filter(cadre=near, relation=HELD).count() == 1


def test_each_party_member_counts_once_in_the_district_total(town):
    home, elsewhere, *_rest = town
    PartyBranchFactory(community=elsewhere)
    bureau = make_user(Role.BUREAU)
    scope = scope_of(bureau)
    direct = Cadre.objects.filter(is_party_member=True, deceased_on__isnull=True).count()
    assert members.party_members(scope, TODAY).count() == direct
    assert members.party_members(scope, TODAY).distinct().count() == direct


def test_unit_staff_see_their_retirees_wherever_they_live_and_nothing_else(town):
    home, elsewhere, unit, branch, near, far = town
    stranger = CadreFactory(community=home, name="孙他")
    other_branch = PartyBranchFactory(community=home)
    staff = make_user(Role.UNIT, unit=unit)

    assert _names(Cadre.objects.for_user(staff)) == ["李远", "王近"]
    assert list(PartyBranch.objects.for_user(staff)) == [branch]
    assert stranger.pk and other_branch.pk


def test_unit_staff_open_their_home_and_rooms_but_no_community_page(client, town):
    home, elsewhere, unit, branch, *_people = town
    client.force_login(make_user(Role.UNIT, unit=unit))
    page = client.get("/worker/unit/")
    assert page.status_code == 200
    assert "李远" in page.content.decode() and "王近" in page.content.decode()
    assert client.get("/worker/rooms/").status_code == 200
    assert client.get(f"/worker/branches/{branch.pk}/archive/").status_code == 200
    assert client.get(f"/worker/branches/{PartyBranchFactory(community=home).pk}/archive/").status_code == 404
    for closed in ("/worker/", "/worker/members/", "/worker/care/", "/worker/needs/", "/dashboard/"):
        assert client.get(closed).status_code == 403, closed


def _ask(venue, branch, by, start):
    return request_room(
        request=RoomRequest(
            venue=venue, branch=branch, title="主题党日", starts_at=start, ends_at=start + datetime.timedelta(hours=3)
        ),
        by=by,
    )


def test_a_room_request_becomes_the_branchs_activity_in_the_host_room(town):
    home, elsewhere, unit, branch, *_people = town
    venue = VenueFactory(community=elsewhere)
    asker, host = make_user(Role.UNIT, unit=unit), make_user(Role.COMMUNITY, community=elsewhere)
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=3)
    first, second = _ask(venue, branch, asker, start), _ask(venue, branch, asker, start + datetime.timedelta(hours=1))

    accept_request(request=first, by=host)
    activity = Activity.objects.get(organiser_branch=branch)
    assert (activity.community, activity.venue) == (elsewhere, venue)
    with pytest.raises(Exception, match="刚同意了另一个申请|已"):
        accept_request(request=second, by=host)
    decline_request(request=second, by=host, reason="该时段已安排其他活动")
    second.refresh_from_db()
    assert (second.status, second.reason) == (RoomRequest.Status.DECLINED, "该时段已安排其他活动")
    assert list(RoomRequest.objects.for_user(asker).order_by("pk")) == [first, second]
    assert list(RoomRequest.objects.for_user(make_user(Role.COMMUNITY, community=home))) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's")
def test_accepted_requests_cannot_overlap_even_past_the_service(town):
    home, elsewhere, unit, branch, *_people = town
    venue = VenueFactory(community=elsewhere)
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=3)
    asker = make_user(Role.UNIT, unit=unit)
    first, second = _ask(venue, branch, asker, start), _ask(venue, branch, asker, start + datetime.timedelta(hours=1))
    RoomRequest.objects.filter(pk=first.pk).update(status=RoomRequest.Status.ACCEPTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoomRequest.objects.filter(pk=second.pk).update(status=RoomRequest.Status.ACCEPTED)
    RoomRequest.objects.filter(pk=second.pk).update(
        starts_at=start + datetime.timedelta(hours=3), ends_at=start + datetime.timedelta(hours=5)
    )
    RoomRequest.objects.filter(pk=second.pk).update(status=RoomRequest.Status.ACCEPTED)  # after it: fine


def test_the_finders_slot_prefills_the_request_even_with_an_unencoded_offset(client, town):
    _home, elsewhere, unit, *_rest = town
    venue = VenueFactory(community=elsewhere)
    client.force_login(make_user(Role.UNIT, unit=unit))
    day = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    for start in (f"{day}T08:30:00+08:00", f"{day}T08:30:00%2B08:00"):
        page = client.get(f"/worker/rooms/{venue.pk}/request/?start={start}").content.decode()
        assert f'value="{day}"' in page and 'value="08:30' in page and 'value="11:30' in page, start


def _home_of(cadre: Cadre) -> str:
    """The one home a member is counted under, worked out by hand from their records."""
    held = BranchMembership.objects.filter(cadre=cadre, relation=HELD, left_on__isnull=True)
    if held.filter(branch__owner__isnull=False).exists():
        return "unit_branch"
    if held.exists() or cadre.membership_in_community:
        return "community"
    return "elsewhere" if cadre.membership_elsewhere else "none"


def test_the_membership_figures_count_each_member_once_by_home_at_every_level(town):
    from portal.figures import membership_figures

    home, elsewhere, unit, unit_branch, near, far = town
    rng = random.Random(16)
    community_branch = PartyBranchFactory(community=elsewhere)
    functional = PartyBranchFactory(community=home, kind=PartyBranch.Kind.FUNCTIONAL)
    for _n in range(40):
        cadre = CadreFactory(
            community=rng.choice([home, elsewhere]),
            is_party_member=rng.random() < 0.8,
            former_unit=rng.choice([unit, None]),
        )
        if not cadre.is_party_member:
            continue
        fate = rng.random()
        if fate < 0.3:
            BranchMembershipFactory(branch=unit_branch, cadre=cadre, relation=HELD)
        elif fate < 0.5:
            BranchMembershipFactory(branch=community_branch, cadre=cadre, relation=HELD)
        elif fate < 0.6:
            Cadre.objects.filter(pk=cadre.pk).update(membership_in_community=True)
        elif fate < 0.7:
            Cadre.objects.filter(pk=cadre.pk).update(membership_elsewhere="济南市历下区某街道党工委")
        if rng.random() < 0.3:  # also takes part somewhere: never a second home
            BranchMembershipFactory(branch=functional, cadre=cadre, relation=TAKES_PART)
    members.register(cadre=far, on=TODAY)

    def direct(cadres):
        counted = {"unit_branch": 0, "community": 0, "elsewhere": 0, "none": 0}
        for cadre in cadres.filter(is_party_member=True, deceased_on__isnull=True):
            counted[_home_of(cadre)] += 1
        return counted

    district = membership_figures(scope_of(make_user(Role.BUREAU)), TODAY)
    city = membership_figures(scope_of(make_user(Role.LEADER, city=True)), TODAY)
    assert district["homes"] == direct(Cadre.objects.all()) == city["homes"]
    assert (
        sum(district["homes"].values())
        == district["party_members"]
        == Cadre.objects.filter(is_party_member=True, deceased_on__isnull=True).count()
    )
    by_community = [
        membership_figures(scope_of(make_user(Role.COMMUNITY, community=c)), TODAY) for c in (home, elsewhere)
    ]
    assert sum(f["party_members"] for f in by_community) == district["party_members"]  # no member in two places
    assert by_community[1]["registered"] == district["registered"] == 1
    assert district["not_registered"] == members.not_registered(scope_of(make_user(Role.BUREAU)), TODAY).count()
    # the unit's view: its retirees wherever they live, each once
    of_unit = membership_figures(scope_of(make_user(Role.UNIT, unit=unit)), TODAY)
    assert of_unit["homes"] == direct(Cadre.objects.filter(former_unit=unit))


def test_room_use_counts_the_hosts_hours_and_each_guests(town):
    from portal.figures import room_use_figures

    home, elsewhere, unit, unit_branch, *_people = town
    room = VenueFactory(community=elsewhere, name="党群服务中心活动室")
    own_branch = PartyBranchFactory(community=elsewhere)
    visiting = PartyBranchFactory(community=home, name="甲社区第一支部")
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(days=1)
    for branch, hours in ((own_branch, 2), (unit_branch, 3), (visiting, 1), (None, 1)):
        ActivityFactory(
            community=elsewhere,
            venue=room,
            organiser_branch=branch,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=hours),
        )
        start += datetime.timedelta(hours=4)
    period = Period(TODAY - datetime.timedelta(days=400), TODAY + datetime.timedelta(days=400))
    hosted = room_use_figures(scope_of(make_user(Role.COMMUNITY, community=elsewhere)), period)
    assert (hosted["host_hours"], hosted["guest_hours"]) == (3.0, 4.0)
    assert hosted["guests"] == [("区教育局", 3.0), (home.name, 1.0)]
    assert room_use_figures(scope_of(make_user(Role.COMMUNITY, community=home)), period)["guest_hours"] == 0.0
    away = room_use_figures(scope_of(make_user(Role.UNIT, unit=unit)), period)
    assert (away["guest_hours"], away["guests"]) == (3.0, [("区教育局", 3.0)])


def test_the_dashboard_shows_where_members_belong_and_who_borrows_rooms(client, town):
    client.force_login(make_user(Role.LEADER))
    page = client.get("/dashboard/").content.decode()
    assert "党员组织关系" in page and "单位建制型支部" in page and "其他单位和社区借用" in page


@pytest.mark.parametrize("state", ["submitted", "accepted"])
def test_a_mobile_members_dates_in_a_frozen_month_are_refused_with_the_reason(town, state):
    """Who was away (流动党员) on which days decides the attendance of every month since: a departure or a
    return dated in a submitted or accepted month is refused, saying why; one dated in a month still open
    is kept and marks the closed months it changes."""
    from django.core.exceptions import ValidationError

    from approvals.models import MonthApproval, MonthChange
    from core.dates import month_start, months_back

    cadre, other = list(
        Cadre.objects.filter(is_party_member=True, deceased_on__isnull=True, mobile_records__isnull=True)[:2]
    )
    this_month = month_start(timezone.localdate())
    frozen, open_month = months_back(this_month, 3), months_back(this_month, 1)
    for community in {cadre.community, other.community}:
        MonthApproval.objects.create(community=community, month=frozen, state=state)
    with pytest.raises(ValidationError, match="不能修改"):
        members.record_mobile(
            mobile=MobileMember(cadre=cadre, place="青岛市", left_on=frozen + datetime.timedelta(days=4))
        )
    assert not MobileMember.objects.filter(cadre=cadre).exists()
    members.record_mobile(
        mobile=MobileMember(cadre=cadre, place="青岛市", left_on=open_month + datetime.timedelta(days=4))
    )
    assert MonthChange.objects.filter(community=cadre.community, month=open_month).exists()

    away = MobileMember.objects.create(cadre=other, place="济南市", left_on=months_back(this_month, 6))
    with pytest.raises(ValidationError, match="不能修改"):
        members.mark_returned(mobile=away, on=frozen + datetime.timedelta(days=9))
    away.refresh_from_db()
    assert away.returned_on is None
    members.mark_returned(mobile=away, on=timezone.localdate())
    away.refresh_from_db()
    assert away.returned_on == timezone.localdate()
