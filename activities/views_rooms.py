"""Shared rooms across organisations, and the home of a unit's staff (单位老干部工作人员).

A unit's staff find a free time in any community's room of their district, ask for it for one of their
branches, and read the answer; the host community's worker accepts (the activity is then on the room's
schedule) or declines with a reason.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities.absences import branch_activities, pending_follow_ups
from activities.forms import DeclineForm, RoomRequestForm
from activities.models import Activity, RoomRequest
from activities.services.rooms import (
    SLOTS,
    accept_request,
    decline_request,
    free_slots,
    request_room,
    shared_venues,
    withdraw_request,
)
from cadres import members
from cadres.models import BranchMembership, Cadre, PartyBranch, ResidenceRegistration, Unit
from communities.models import Community, Street, Venue
from core.dates import local_midnight, month_start, next_month, parse_day, week_start
from core.forms import parse_id, posted
from core.scope import scope_of

AHEAD_DAYS = 28


def _finder_district(scope):
    """The district whose rooms an account may look through (None: every district, for a city unit)."""
    if scope.level == "unit":
        return Unit.objects.values_list("district_id", flat=True).get(pk=scope.unit_id)
    if scope.level == "community":
        return Community.objects.values_list("street__district_id", flat=True).get(pk=scope.community_id)
    if scope.level == "street":
        return Street.objects.values_list("district_id", flat=True).get(pk=scope.street_id)
    raise PermissionDenied


def _require_unit(request):
    scope = scope_of(request.user)
    if scope.level != "unit":
        raise PermissionDenied
    return scope


def _int(value, default=0):
    return parse_id(value) or default


def room_finder(request):
    """Every shared room of the district: a week of morning and afternoon slots, free or taken, its capacity
    and six haves; filtered by street, people and 六有."""
    scope = scope_of(request.user)
    district_id = _finder_district(scope)
    monday = week_start(parse_day(request.GET.get("week"), timezone.localdate()))
    street_id, people = _int(request.GET.get("street")), _int(request.GET.get("people"))
    six_haves = request.GET.get("six") == "1"
    streets = Street.objects.order_by("code")
    if district_id is not None:
        streets = streets.filter(district_id=district_id)
    venues = list(shared_venues(district_id=district_id, street_id=street_id, people=people, six_haves=six_haves)[:60])
    slots = free_slots(venues=venues, monday=monday)
    context = {
        "venues": [(venue, slots[venue.pk]) for venue in venues],
        "streets": streets,
        "street_id": street_id,
        "people": people or "",
        "six_haves": six_haves,
        "monday": monday,
        "previous": monday - datetime.timedelta(days=7),
        "next": monday + datetime.timedelta(days=7),
        "days": [monday + datetime.timedelta(days=offset) for offset in range(7)],
        "slot_names": [(key, label) for key, label, *_times in SLOTS],
        "can_request": scope.level == "unit",
    }
    return render(request, "activities/room_finder.html", context)


def room_request_new(request, venue_pk):
    """A unit's staff ask for a time in a room for one of their branches."""
    scope = _require_unit(request)
    district_id = _finder_district(scope)
    venue = get_object_or_404(shared_venues(district_id=district_id), pk=venue_pk)
    branches = PartyBranch.objects.for_user(request.user).order_by("name")
    initial = {"people": 10}
    start = request.GET.get("start", "").replace(" ", "+")  # an unencoded "+08:00" arrives as " 08:00"
    try:
        starts_at = datetime.datetime.fromisoformat(start) if start else None
    except ValueError:
        starts_at = None
    if starts_at is not None:
        starts_at = timezone.localtime(starts_at) if timezone.is_aware(starts_at) else starts_at
        slot = next((s for s in SLOTS if s[2] == starts_at.time()), None)
        initial.update(date=starts_at.date(), start_time=starts_at.time(), end_time=slot[3] if slot else None)
    form = RoomRequestForm(posted(request), venue=venue, branches=branches, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            request_room(request=form.instance, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("已向%(community)s提出申请，请等待答复。") % {"community": venue.community.name}
            )
            return redirect("room_requests")
    return render(request, "activities/room_request_form.html", {"form": form, "venue": venue})


def room_requests(request):
    """A unit's requests and their answers; or, for a community, the requests for its rooms to answer."""
    scope = scope_of(request.user)
    if scope.level not in ("unit", "community"):
        raise PermissionDenied
    requests = (
        RoomRequest.objects.for_user(request.user)
        .select_related("venue", "venue__community", "branch", "branch__owner", "answered_by")
        .order_by("-requested_at")
    )
    pending = [r for r in requests.filter(status=RoomRequest.Status.PENDING)]
    answered = list(requests.exclude(status=RoomRequest.Status.PENDING)[:30])
    context = {"pending": pending, "answered": answered, "host": scope.level == "community", "form": DeclineForm()}
    return render(request, "activities/room_requests.html", context)


def _host_request(request, pk):
    if scope_of(request.user).level != "community":
        raise PermissionDenied
    return get_object_or_404(RoomRequest.objects.for_user(request.user).select_related("venue", "branch"), pk=pk)


@require_POST
def room_request_accept(request, pk):
    room_request = _host_request(request, pk)
    try:
        accept_request(request=room_request, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("已同意%(branch)s使用%(venue)s。")
            % {"branch": room_request.branch.name, "venue": room_request.venue.name},
        )
    return redirect("room_requests")


@require_POST
def room_request_decline(request, pk):
    room_request = _host_request(request, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请写明不能同意的原因，申请单位会看到。"))
        return redirect("room_requests")
    try:
        decline_request(request=room_request, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已答复%(branch)s。") % {"branch": room_request.branch.name})
    return redirect("room_requests")


@require_POST
def room_request_withdraw(request, pk):
    _require_unit(request)
    room_request = get_object_or_404(RoomRequest.objects.for_user(request.user), pk=pk)
    try:
        withdraw_request(request=room_request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已撤回申请。"))
    return redirect("room_requests")


def unit_home(request):
    """A unit's staff: their retirees wherever they live (where, their home, whether reported), their
    branches with members, the branches' coming activities and the room requests' answers."""
    scope = _require_unit(request)
    unit = Unit.objects.select_related("district").get(pk=scope.unit_id)
    today = timezone.localdate()
    cadres = Cadre.objects.for_user(request.user).living()
    registered = ResidenceRegistration.objects.current().filter(cadre=OuterRef("pk"))
    people = (
        members.with_home(cadres)
        .annotate(registered=Exists(registered))
        .select_related("community")
        .order_by("community__code", "name_pinyin", "pk")
    )
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    for cadre in page:
        cadre.home = members.home_text(cadre) if cadre.is_party_member else ""
    by_community = (
        cadres.order_by().values("community__name").annotate(n=Count("pk")).order_by("-n", "community__name")[:12]
    )
    branches = (
        PartyBranch.objects.for_user(request.user)
        .select_related("community", "venue")
        .annotate(
            members=Count(
                "memberships",
                filter=Q(memberships__left_on__isnull=True, memberships__relation=BranchMembership.Relation.HELD),
            )
        )
        .order_by("name")
    )
    midnight = local_midnight(today)
    activities = (
        Activity.objects.for_user(request.user)
        .filter(
            starts_at__gte=midnight - datetime.timedelta(days=7),
            starts_at__lt=midnight + datetime.timedelta(days=AHEAD_DAYS),
        )
        .select_related("venue", "community", "organiser_branch")
        .annotate(signed=Count("sign_ins"))
        .order_by("starts_at")[:20]
    )
    requests = (
        RoomRequest.objects.for_user(request.user)
        .select_related("venue", "venue__community", "branch")
        .order_by("-requested_at")[:5]
    )
    context = {
        "unit": unit,
        "total": cadres.count(),
        "party": cadres.filter(is_party_member=True).count(),
        "by_community": by_community,
        "page": page,
        "branches": branches,
        "activities": activities,
        "requests": requests,
        "venue_count": Venue.objects.filter(is_active=True).count(),
        # 送学上门 of the unit's branches: the unit's staff follow their members up, wherever they met
        "follow_ups_pending": pending_follow_ups(
            branch_activities(scope, local_midnight(month_start(today)), local_midnight(next_month(today)))
        ),
    }
    return render(request, "activities/unit_home.html", context)
