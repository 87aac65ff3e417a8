"""A community that lends its room keeps to its own people.

Community A hosts, in its Party room, a unit's branch (its members live in other communities) and another
community's branch. After those activities end, nobody having signed in, every list, figure and to-do of A
names only A's own members; the guests' absences are their owners' to follow up. A may move a guest's
activity but never make it its own, and a refusal names no other organisation's activity.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.gate import PAGE_ROLES, WORKER
from accounts.models import Role
from activities.absences import branch_activities
from activities.models import Activity, RoomRequest
from activities.services.rooms import request_room
from core.dates import Period, local_midnight
from core.scope import Scope
from portal.figures import branch_life_figures
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

pytestmark = pytest.mark.django_db


@pytest.fixture
def lent_room():
    host = CommunityFactory(name="桃花山社区")
    elsewhere = [CommunityFactory(street=host.street), CommunityFactory()]
    neighbour = CommunityFactory(street=host.street, name="杏花村社区")
    room = VenueFactory(community=host, name="桃花山党员活动室")
    own = PartyBranchFactory(community=host, name="桃花山第一支部")
    unit_branch = PartyBranchFactory(
        community=elsewhere[0], owner=UnitFactory(name="区财政局"), name="财政局离退休支部"
    )
    neighbour_branch = PartyBranchFactory(community=neighbour, name="杏花村支部")
    people = {"own": [], "unit": [], "neighbour": []}
    for n in range(3):
        people["own"].append(
            BranchMembershipFactory(branch=own, cadre=CadreFactory(community=host, name=f"本社区{n}")).cadre
        )
    for n in range(5):
        cadre = CadreFactory(community=elsewhere[n % 2], name=f"财政局{n}")
        people["unit"].append(BranchMembershipFactory(branch=unit_branch, cadre=cadre).cadre)
    for n in range(2):
        cadre = CadreFactory(community=neighbour, name=f"杏花村{n}")
        people["neighbour"].append(BranchMembershipFactory(branch=neighbour_branch, cadre=cadre).cadre)
    ends = timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=30)
    activities = {}
    for key, branch, hours in (("own", own, 2), ("unit", unit_branch, 5), ("neighbour", neighbour_branch, 8)):
        activities[key] = ActivityFactory(
            community=host,  # all three in the host's room
            venue=room,
            organiser_branch=branch,
            kind=Activity.Kind.PARTY_DAY,
            title=f"{branch.name}主题党日",
            starts_at=ends - datetime.timedelta(hours=hours + 1),
            ends_at=ends - datetime.timedelta(hours=hours - 1),
            status=Activity.Status.HELD,
        )
    return {
        "host": host,
        "neighbour": neighbour,
        "room": room,
        "people": people,
        "activities": activities,
        "branches": {"own": own, "unit": unit_branch, "neighbour": neighbour_branch},
    }


def _guests(world):
    return [cadre.name for key in ("unit", "neighbour") for cadre in world["people"][key]]


def test_every_list_figure_and_to_do_of_the_host_names_only_its_own_people(client, lent_room):
    world = lent_room
    # one of the host's own three came; so did every guest (who would raise the host's rate if counted)
    world["activities"]["own"].sign_ins.create(cadre=world["people"]["own"][0])
    for key in ("unit", "neighbour"):
        for cadre in world["people"][key]:
            world["activities"][key].sign_ins.create(cadre=cadre)
    liaison = make_user(Role.COMMUNITY, community=world["host"])
    client.force_login(liaison)
    absences = client.get(reverse("absence_list")).content.decode()
    assert all(cadre.name in absences for cadre in world["people"]["own"][1:])
    home = client.get(reverse("worker_home")).content.decode()
    assert "待跟进2" in home.replace(" ", "")
    # every page of the worker that needs no object: no guest's member on any of them
    walked = 0
    for name, roles in PAGE_ROLES.items():
        if not roles & WORKER:
            continue
        try:
            url = reverse(name)
        except Exception:  # noqa: BLE001 - a page about one object; the object pages are scoped apart
            continue
        response = client.get(url)
        if response.status_code != 200 or response.streaming:
            continue
        walked += 1
        text = response.content.decode(errors="ignore")
        assert not [guest for guest in _guests(world) if guest in text], url
    assert walked >= 10
    # the host's figures count its own branch only; the street's count every branch in it once
    period = Period.month_of(timezone.localdate())
    start, end = local_midnight(period.start), local_midnight(period.end)
    figures = branch_life_figures(Scope(level="community", community_id=world["host"].pk), period)
    assert figures["branch_attendance_rate"] == round(1 / 3, 4) and figures["follow_up_completion"] == 0.0
    host_activities = branch_activities(Scope(level="community", community_id=world["host"].pk), start, end)
    assert list(host_activities) == [world["activities"]["own"]]
    street = branch_activities(Scope(level="street", street_id=world["host"].street_id), start, end)
    assert set(street) == set(world["activities"].values())


def test_the_guests_absences_are_their_owners_to_follow_up(client, lent_room):
    world = lent_room
    client.force_login(make_user(Role.COMMUNITY, community=world["neighbour"]))
    absences = client.get(reverse("absence_list")).content.decode()
    assert all(cadre.name in absences for cadre in world["people"]["neighbour"])
    unit = world["branches"]["unit"].owner
    period = Period.month_of(timezone.localdate())
    of_unit = branch_activities(
        Scope(level="unit", unit_id=unit.pk), local_midnight(period.start), local_midnight(period.end)
    )
    assert list(of_unit) == [world["activities"]["unit"]]


def test_only_the_branchs_own_organisation_records_its_follow_ups(client, lent_room):
    world = lent_room
    guest, member = world["activities"]["neighbour"], world["people"]["neighbour"][0]
    url = reverse("follow_up_new", args=[guest.pk, member.pk])
    data = {"how": "home", "done_on": timezone.localdate().isoformat(), "note": "送学上门"}
    client.force_login(make_user(Role.COMMUNITY, community=world["host"]))
    assert client.post(url, data).status_code == 404  # the host lent the room, nothing more
    client.force_login(make_user(Role.COMMUNITY, community=world["neighbour"]))
    assert client.post(url, data).status_code == 302  # the neighbour follows its own member up
    assert guest.follow_ups.filter(cadre=member).exists()


def test_the_host_may_move_a_guests_activity_but_never_make_it_its_own(client, lent_room):
    world = lent_room
    guest = world["activities"]["neighbour"]
    guest.starts_at += datetime.timedelta(days=3)
    guest.ends_at += datetime.timedelta(days=3)
    guest.save()
    client.force_login(make_user(Role.COMMUNITY, community=world["host"]))
    # ten in the morning the day after (an hour after 23:00 would end before it starts, on the next day)
    moved = local_midnight(timezone.localtime(guest.starts_at).date() + datetime.timedelta(days=1))
    moved = timezone.localtime(moved + datetime.timedelta(hours=10))
    response = client.post(
        reverse("activity_edit", args=[guest.pk]),
        {
            "kind": Activity.Kind.STUDY,
            "title": "桃花山的活动",
            "venue": world["room"].pk,
            "organiser_branch": world["branches"]["own"].pk,
            "date": moved.date().isoformat(),
            "start_time": moved.strftime("%H:%M"),
            "end_time": (moved + datetime.timedelta(hours=1)).strftime("%H:%M"),
        },
    )
    assert response.status_code == 302
    guest.refresh_from_db()
    assert guest.organiser_branch == world["branches"]["neighbour"] and guest.title == "杏花村支部主题党日"
    assert guest.kind == Activity.Kind.PARTY_DAY
    assert timezone.localtime(guest.starts_at).date() == moved.date()  # moved, as the host may


def test_a_refusal_names_no_other_organisations_activity(lent_room):
    world = lent_room
    taken = world["activities"]["neighbour"]
    taken.starts_at += datetime.timedelta(days=3)
    taken.ends_at += datetime.timedelta(days=3)
    taken.save()
    staff = make_user(Role.UNIT, unit=world["branches"]["unit"].owner)
    asked = RoomRequest(
        venue=world["room"],
        branch=world["branches"]["unit"],
        title="学习会",
        starts_at=taken.starts_at,
        ends_at=taken.ends_at,
    )
    with pytest.raises(ValidationError) as refused:
        request_room(request=asked, by=staff)
    message = " ".join(refused.value.messages)
    assert "已被其他组织预约" in message and taken.title not in message and "杏花村" not in message


def test_the_units_staff_follow_up_their_branchs_members(client, lent_room):
    world = lent_room
    unit_branch = world["branches"]["unit"]
    staff = make_user(Role.UNIT, unit=unit_branch.owner)
    # the branch's members are followed up wherever they live, whether or not the roster names the unit
    client.force_login(staff)
    home = client.get(reverse("unit_home")).content.decode()
    assert "待跟进5" in home.replace(" ", "")
    page = client.get(reverse("absence_list")).content.decode()
    assert all(cadre.name in page for cadre in world["people"]["unit"])
    assert not [cadre.name for cadre in world["people"]["own"] if cadre.name in page]
    activity, cadre = world["activities"]["unit"], world["people"]["unit"][0]
    answer = client.post(
        reverse("follow_up_new", args=[activity.pk, cadre.pk]),
        {"how": "phone", "done_on": timezone.localdate().isoformat(), "note": "电话传达学习内容"},
    )
    assert answer.status_code == 302
    assert "待跟进4" in client.get(reverse("unit_home")).content.decode().replace(" ", "")


@pytest.mark.parametrize("frozen", ["neighbour", "host"])
def test_a_guests_follow_up_asks_the_month_of_the_branchs_community_not_the_rooms(lent_room, frozen):
    """杏花村's branch met in 桃花山's room last month: its follow-up counts in 杏花村's month, so 杏花村's
    submitted month refuses it, and 桃花山's submitted month (which does not count it) does not."""
    from activities.services import record_follow_up
    from approvals.models import MonthApproval
    from core.dates import month_start, months_back

    world = lent_room
    last_month = months_back(month_start(timezone.localdate()), 1)
    at = local_midnight(last_month + datetime.timedelta(days=9)) + datetime.timedelta(hours=9)
    activity = ActivityFactory(
        community=world["host"],
        venue=world["room"],
        organiser_branch=world["branches"]["neighbour"],
        kind=Activity.Kind.PARTY_DAY,
        starts_at=at,
        ends_at=at + datetime.timedelta(hours=2),
        status=Activity.Status.HELD,
    )
    MonthApproval.objects.create(community=world[frozen], month=last_month, state=MonthApproval.State.SUBMITTED)
    absent = world["people"]["neighbour"][0]

    def follow_up():
        return record_follow_up(
            activity=activity, cadre=absent, how="phone", done_on=timezone.localdate(), note="", by=None
        )

    if frozen == "neighbour":
        with pytest.raises(ValidationError, match="已提交审核"):
            follow_up()
        assert not activity.follow_ups.exists()
    else:
        assert follow_up().activity == activity
