"""Every page escapes user data: names that are HTML stay text; no page shows broken or twice-escaped markup."""

import datetime
import re

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
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
    StreetFactory,
    TalentFactory,
    UnitFactory,
    VenueFactory,
    open_screen,
)

EVIL = "<script>alert(1)</script>"
EVIL_ATTR = '"><img src=x onerror=alert(2)>'
LOCAL_APPS = {"communities", "approvals", "cadres", "activities", "portal"}


@pytest.fixture
def poisoned(db):
    street = StreetFactory(name=EVIL)
    community = CommunityFactory(street=street, name=EVIL + "社区")
    venue = VenueFactory(community=community, name=EVIL_ATTR, coordinator_name=EVIL)
    unit = UnitFactory(name=EVIL_ATTR)
    cadre = CadreFactory(community=community, name=EVIL, former_unit=unit, health=EVIL, notes=EVIL)
    branch = PartyBranchFactory(community=community, name=EVIL_ATTR, venue=venue, owner=unit)
    BranchMembershipFactory(branch=branch, cadre=cadre)
    activity = ActivityFactory(community=community, venue=venue, title=EVIL, record=EVIL, starts_at=timezone.now())
    # the community's own branch's study, whose absent members it follows up (送学上门)
    own = PartyBranchFactory(community=community, name=EVIL, venue=venue)
    activity.organiser_branch = own
    activity.save(update_fields=["organiser_branch"])
    SignInFactory(activity=activity, cadre=cadre)
    SignInFactory(activity=activity, cadre=None, walk_in_name=EVIL)
    from activities.models import Project
    from activities.services import record_service, redeem_points
    from cadres.models import GroupMembership, LeaderLink

    group = GroupFactory(community=community, name=EVIL, specialty=EVIL_ATTR, leader=cadre)
    GroupMembership.objects.create(group=group, cadre=cadre)
    TalentFactory(cadre=cadre, specialty=EVIL, description=EVIL_ATTR, category="culture")
    CareCaseFactory(cadre=cadre, responsible=EVIL, notes=EVIL, opened_on=datetime.date(2025, 1, 1))
    LeaderLink.objects.create(leader_name=EVIL, leader_post=EVIL_ATTR, cadre=cadre, since=datetime.date(2026, 1, 1))
    resource = ResourceFactory(community=community, name=EVIL, provider=EVIL_ATTR, category="culture")
    need = NeedFactory(community=community, cadre=cadre, title=EVIL, description=EVIL_ATTR, category="culture")
    Project.objects.create(
        community=community, title=EVIL, category="culture", claimed_by_unit=EVIL_ATTR, status="claimed"
    ).needs.add(need)
    clerk = make_user(Role.BUREAU)
    record_service(cadre=cadre, served_on=datetime.date(2026, 3, 1), hours=1, description=EVIL, verified_by=clerk)
    redeem_points(cadre=cadre, points=1, item=EVIL_ATTR, on=datetime.date(2026, 3, 1), by=clerk)
    from activities.models import RoomRequest
    from activities.services.rooms import request_room
    from cadres.members import record_contact, register
    from cadres.models import MobileMember

    register(cadre=cadre, on=datetime.date(2026, 3, 1), follow_up=EVIL)
    mobile = MobileMember.objects.create(cadre=cadre, place=EVIL, contact=EVIL_ATTR, left_on=datetime.date(2026, 1, 1))
    record_contact(mobile=mobile, on=datetime.date(2026, 2, 1), note=EVIL)
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    request_room(
        request=RoomRequest(
            venue=venue,
            branch=branch,
            title=EVIL,
            starts_at=tomorrow,
            ends_at=tomorrow + datetime.timedelta(hours=2),
        ),
        by=clerk,
    )
    assert resource.pk
    return community


# markup a template broke or escaped twice: a split closing tag (`< /h2>`), text escaped again (shows `&lt;`),
# or template syntax that reached the page (`{% if`, `{{ name }}`)
BROKEN_MARKUP = re.compile(r"<\s+/|&amp;(lt|gt|amp|quot);")
TEMPLATE_SYNTAX = re.compile(r"\{%|%\}|\{\{|\}\}")


def _assert_escaped(response):
    page = response.content.decode()
    assert EVIL not in page
    assert "<img src=x" not in page
    body = re.sub(r"<script\b[^>]*>.*?</script>", "", page, flags=re.S)  # scripts hold JSON, not markup
    text = re.sub(r"<[^>]*>", " ", body)  # template syntax is looked for in what a person reads, not in attributes
    broken = BROKEN_MARKUP.search(body) or TEMPLATE_SYNTAX.search(text)
    body = body if BROKEN_MARKUP.search(body) else text
    assert broken is None, (
        f"broken markup in {response.request['PATH_INFO']}: {body[max(0, broken.start() - 80) : broken.end() + 40]!r}"
    )


def test_every_admin_list_and_change_page_escapes_names(client, poisoned):
    from django.contrib.auth.models import Group

    user = make_user(Role.BUREAU)
    user.groups.add(Group.objects.get(name="auditor"))
    client.force_login(user)
    from django.test import RequestFactory

    asked = RequestFactory().get("/")
    asked.user = user
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in LOCAL_APPS:
            continue
        info = model._meta.app_label, model._meta.model_name
        response = client.get(reverse(f"admin:{info[0]}_{info[1]}_changelist"))
        assert response.status_code == 200
        _assert_escaped(response)
        obj = model.objects.first()
        if obj is None:
            continue
        readable = model_admin.has_view_or_change_permission(asked, obj)
        allowed = {"change": readable, "history": readable, "delete": model_admin.has_delete_permission(asked, obj)}
        for view in ("change", "history", "delete"):
            try:
                url = reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[obj.pk])
            except Exception:  # noqa: BLE001 - not every admin has every view
                continue
            response = client.get(url)
            # a page the admin grants opens (and is escaped); one it refuses is a 403, never a 404 or a 500
            assert response.status_code == (200 if allowed[view] else 403), (url, response.status_code)
            _assert_escaped(response)


def test_worker_pages_escape_names(client, poisoned):
    from activities.models import Need
    from cadres.models import Cadre, PartyBranch

    client.force_login(make_user(Role.COMMUNITY, community=poisoned))
    need, cadre, branch = Need.objects.get(), Cadre.objects.get(), PartyBranch.objects.get(owner__isnull=False)
    pages = [
        "/worker/",
        "/worker/needs/",
        f"/worker/needs/{need.pk}/",
        "/worker/care/",
        "/worker/timebank/",
        f"/worker/visits/new/?cadre={cadre.pk}",
        f"/worker/timebank/?cadre={cadre.pk}",
        f"/worker/timebank/statement/{cadre.pk}/",
        f"/worker/branches/{branch.pk}/archive/?from=2020-01",
        "/worker/cadres/pick/?q=script",
        *(f"/worker/members/list/{name}/" for name in ("unregistered", "registered", "mobile", "homeless")),
        "/worker/rooms/",
        "/worker/rooms/requests/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_escaped(response)


def test_the_dashboard_escapes_names(client, poisoned):
    client.force_login(make_user(Role.STREET, street=poisoned.street))
    response = client.get("/dashboard/")
    assert response.status_code == 200
    _assert_escaped(response)


def test_pages_carry_a_content_security_policy_of_the_portals_own_origin(client, poisoned):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "http" not in policy


# --- every page route, walked from the URL configuration --------------------------------------------

# routes that render no HTML page of user data (a POST-only action, a file, a redirect), with the reason
NOT_PAGES = {
    "home": "redirects to the role's home",
    "activity_restore": "POST only",
    "activity_sign_in": "POST only",
    "activity_undo": "POST only",
    "activity_photo_upload": "POST only",
    "activity_photo": "a JPEG",
    "activity_credit_hours": "POST only",
    "need_finish": "POST only",
    "need_match": "POST only",
    "activity_record": "POST only",
    "activity_record_draft": "POST only",
    "cadre_attendance": "POST only",
    "branch_archive_xlsx": "an .xlsx (formula-safe cells: test_f03)",
    "dashboard_chart": "an .xlsx (formula-safe cells: test_f03)",
    "ledger_download": "an .xlsx (formula-safe cells: test_f03)",
    "healthz": "plain text, no user data",
    "set_language": "POST only",
    "sign_in_sync": "POST only (JSON)",
    "sign_in_roster": "JSON (offline.js puts the names on the page as text, never as markup)",
    "service_worker": "JavaScript, no user data",
    "member_list_xlsx": "an .xlsx (formula-safe cells: test_f03)",
    "room_request_accept": "POST only",
    "room_request_decline": "POST only",
    "room_request_withdraw": "POST only",
    "scorecard_xlsx": "an .xlsx (formula-safe cells: test_f03)",
}


def _page_routes():
    from django.urls import URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith(("admin", "accounts", "i18n")):
                    continue
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif pattern.name:
                yield pattern.name

    return sorted(set(walk(get_resolver().url_patterns)))


def test_every_page_route_escapes_names(client, poisoned):
    """Each named page outside the admin, opened by a role that may open it, shows the poisoned names as
    text; a route that is neither checked here nor listed as not a page fails the test."""
    from activities.models import Activity
    from activities.self_sign_in import token_for
    from cadres.models import Cadre, PartyBranch
    from communities.models import Venue
    from portal.ledger_runs import build_month

    activity, cadre = Activity.objects.get(), Cadre.objects.get()
    branch, venue = PartyBranch.objects.get(owner__isnull=False), Venue.objects.get()
    need = activity.community.needs.get()
    build_month(month=datetime.date(2026, 10, 1), trigger="command")
    kwargs = {
        "venue_schedule": {"pk": venue.pk},
        "branch_month_print": {"branch_pk": branch.pk, "month": "2026-10"},
        "branch_archive": {"branch_pk": branch.pk},
        "activity_edit": {"pk": activity.pk},
        "activity_cancel": {"pk": activity.pk},
        "activity_detail": {"pk": activity.pk},
        "activity_search": {"pk": activity.pk},
        "activity_book_updates": {"pk": activity.pk},
        "cadre_file": {"pk": cadre.pk},
        "follow_up_new": {"pk": activity.pk, "cadre_pk": cadre.pk},
        "activity_print": {"pk": activity.pk},
        "activity_screen": {"pk": activity.pk},
        "room_screen": {"secret": open_screen(activity)},
        "room_screen_count": {"secret": open_screen(activity)},
        "need_detail": {"pk": need.pk},
        "timebank_statement": {"cadre_pk": cadre.pk},
        "self_sign_in": {"token": token_for(activity)},
        "member_list_named": {"name": "mobile"},
        "register_member": {"pk": cadre.pk},
        "mobile_contact": {"pk": cadre.mobile_records.get().pk},
        "mobile_returned": {"pk": cadre.mobile_records.get().pk},
        "room_request_new": {"venue_pk": venue.pk},
        "approval_detail": {"community_pk": activity.community_id, "month": "2026-10"},
    }
    query = {"activity_search": "?q=script", "cadre_pick": "?q=script", "visit_new": f"?cadre={cadre.pk}"}
    worker = make_user(Role.COMMUNITY, community=poisoned)
    leader = make_user(Role.LEADER)
    unit_staff = make_user(Role.UNIT, unit=cadre.former_unit)
    checked = set()
    for name in _page_routes():
        if name in NOT_PAGES:
            continue
        url = reverse(name, kwargs=kwargs.get(name, {})) + query.get(name, "")
        for account in (worker, leader, unit_staff):
            client.force_login(account)
            response = client.get(url)
            if response.status_code == 200:
                _assert_escaped(response)
                checked.add(name)
                break
    unchecked = set(_page_routes()) - checked - set(NOT_PAGES)
    assert not unchecked, f"pages not opened by the escaping test: {sorted(unchecked)}"
