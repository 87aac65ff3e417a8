"""The demo's 一方隶属、多方管理: units' formal branches holding most party members, residence registrations,
mobile members, and rooms lent between organisations."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from activities.models import Activity, RoomRequest
from activities.services.rooms import accept_request, decline_request, request_room
from activities.services.schedule import check_venue_free
from cadres.models import BranchMembership, MobileContact, MobileMember, PartyBranch, ResidenceRegistration

PLACES = ["青岛市", "烟台市", "北京市", "上海市", "深圳市", "海南省三亚市", "济南市历城区"]
ELSEWHERE = "济南市外原单位党组织"


def build_unit_branches(builder, *, cadres, venues):
    """Each unit's formal branch, meeting where most of its retirees live, holds its party members whose
    membership is not in their community; a few are members elsewhere; every other member's home is the
    community they live in (each party member has exactly one home)."""
    rng, today = builder.random, builder.today
    living_members = [c for c in cadres if c.is_party_member and c.deceased_on is None]
    by_unit = {}
    for cadre in living_members:
        if not cadre.membership_in_community and cadre.former_unit_id:
            by_unit.setdefault(cadre.former_unit_id, []).append(cadre)
    branches, memberships, elsewhere = [], [], []
    for unit_id, people in sorted(by_unit.items()):
        where = {}
        for cadre in people:
            where[cadre.community_id] = where.get(cadre.community_id, 0) + 1
        community_id = max(sorted(where), key=where.get)
        rooms = venues.get(community_id, [])
        unit = people[0].former_unit
        branch = PartyBranch(
            name=f"{unit.name}离退休干部党支部",
            community_id=community_id,
            owner_id=unit_id,
            kind=PartyBranch.Kind.FORMAL,
            unit=PartyBranch.Unit.BRANCH,
            venue=rooms[0] if rooms and rng.random() < 0.5 else None,
            secretary=people[0],
            established_on=today.replace(year=today.year - rng.randint(5, 20), day=1),
        )
        branches.append(branch)
        for cadre in people:
            roll = rng.random()
            if roll < 0.93:
                memberships.append(
                    BranchMembership(branch=branch, cadre=cadre, relation=BranchMembership.Relation.HELD)
                )
            else:
                cadre.membership_elsewhere = ELSEWHERE
                elsewhere.append(cadre)
    PartyBranch.objects.bulk_create(branches, batch_size=builder.batch_size)
    for membership in memberships:
        membership.branch_id = membership.branch.pk
    BranchMembership.objects.bulk_create(memberships, batch_size=builder.batch_size)
    Cadre = type(cadres[0])
    Cadre.objects.bulk_update(elsewhere, ["membership_elsewhere"], batch_size=builder.batch_size)
    # every other member's relation is in the community they live in: each party member has one home
    held = set(
        BranchMembership.objects.filter(relation=BranchMembership.Relation.HELD, left_on__isnull=True).values_list(
            "cadre_id", flat=True
        )
    )
    at_home = [
        cadre
        for cadre in living_members
        if cadre.pk not in held and not cadre.membership_in_community and not cadre.membership_elsewhere
    ]
    for cadre in at_home:
        cadre.membership_in_community = True
    Cadre.objects.bulk_update(at_home, ["membership_in_community"], batch_size=builder.batch_size)
    builder.counts.update(unit_branches=len(branches), unit_branch_members=len(memberships))
    _registrations_and_mobile(builder, memberships=memberships, elsewhere=elsewhere)
    return branches


def _registrations_and_mobile(builder, *, memberships, elsewhere):
    rng, today = builder.random, builder.today
    registrations, mobile, away = [], [], set()
    for membership in memberships:
        if rng.random() < 0.03 or (not mobile and membership is memberships[-1]):  # one at least
            away.add(membership.cadre_id)
            mobile.append(
                MobileMember(
                    cadre=membership.cadre,
                    place=rng.choice(PLACES),
                    contact=builder._phone(),
                    left_on=today - datetime.timedelta(days=rng.randint(30, 900)),
                    contact_interval_days=rng.choice([30, 60, 90]),
                )
            )
    people = [(m.cadre, m.branch.community_id) for m in memberships] + [(c, None) for c in elsewhere]
    for cadre, branch_community in people:
        if cadre.pk in away or cadre.community_id == branch_community or cadre.pk in builder.living_elsewhere:
            continue
        if rng.random() < 0.7:
            registrations.append(
                ResidenceRegistration(
                    cadre=cadre,
                    community_id=cadre.community_id,
                    reported_on=today - datetime.timedelta(days=rng.randint(10, 1000)),
                    status=rng.choice([ResidenceRegistration.Status.REPORTED, ResidenceRegistration.Status.ACTIVE]),
                )
            )
    ResidenceRegistration.objects.bulk_create(registrations, batch_size=builder.batch_size)
    MobileMember.objects.bulk_create(mobile, batch_size=builder.batch_size)
    contacts = []
    for record in mobile:
        for _n in range(rng.randint(0, 3)):
            day = record.left_on + datetime.timedelta(days=rng.randint(1, max(1, (today - record.left_on).days)))
            contacts.append(MobileContact(mobile=record, contacted_on=min(day, today), note="电话联系，情况良好。"))
    MobileContact.objects.bulk_create(contacts, batch_size=builder.batch_size)
    builder.counts.update(registrations=len(registrations), mobile_members=len(mobile))


def lend_rooms(builder, *, branches, venues):
    """Units' branches ask for rooms in other communities: some accepted, one declined, one waiting."""
    User = get_user_model()
    unit_user, _ = User.objects.get_or_create(username="unit")
    host_user, _ = User.objects.get_or_create(username="community")
    rng, today = builder.random, builder.today
    rooms = [room for pool in venues.values() for room in pool]
    made = 0
    for index, branch in enumerate(branches[:8]):
        others = [room for room in rooms if room.community_id != branch.community_id] or rooms
        if not others:
            break
        room = rng.choice(others)
        day = today + datetime.timedelta(days=2 + index)
        starts = datetime.datetime.combine(day, datetime.time(8, 30), tzinfo=timezone.get_current_timezone())
        request = RoomRequest(
            venue=room,
            branch=branch,
            kind=Activity.Kind.ORGANISATIONAL_LIFE,
            title=f"{day:%-m}月主题党日",
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2),
            people=min(room.capacity or 20, 20),
        )
        try:
            request_room(request=request, by=unit_user)
            if index % 4 == 3:
                decline_request(request=request, by=host_user, reason="当天社区已安排换届选举，请改约下周。")
            elif index % 4 != 2:
                accept_request(request=request, by=host_user)
        except ValidationError:
            continue
        made += 1
    builder.counts["room_requests"] = made
    builder.counts["lent_room_uses"] = _past_uses_of_lent_rooms(builder, branches=branches, rooms=rooms)


def _past_uses_of_lent_rooms(builder, *, branches, rooms):
    """The last three months' 主题党日 of units' branches without a room of their own, held in a room of
    another community (the Xinchang report: about 15% of retired branches have none)."""
    rng, today = builder.random, builder.today
    made = 0
    for branch in branches:
        others = [room for room in rooms if room.community_id != branch.community_id]
        if branch.venue_id or not others:
            continue
        room = rng.choice(others)
        for back in (1, 2, 3):
            month = (today.replace(day=1) - datetime.timedelta(days=28 * back)).replace(day=1)
            day = month + datetime.timedelta(days=rng.randint(4, 24))
            starts = datetime.datetime.combine(day, datetime.time(14, 30), tzinfo=timezone.get_current_timezone())
            activity = Activity(
                community_id=room.community_id,
                venue=room,
                organiser_branch=branch,
                kind=Activity.Kind.ORGANISATIONAL_LIFE,
                title=f"{day:%-m}月主题党日（借用{room.name}）",
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=2),
                status=Activity.Status.HELD,
            )
            try:
                check_venue_free(activity)
            except ValidationError:
                continue
            activity.save()
            made += 1
    return made
