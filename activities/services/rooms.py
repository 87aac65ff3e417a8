"""Shared rooms: finding a free time in any community's room, asking for it, and the host's answer."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.models import Activity, RoomRequest
from activities.services.schedule import check_venue_free, save_activity
from communities.models import Venue
from core.dates import local_midnight

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# the times a shared room is lent for: the finder shows each as free or taken, day by day
SLOTS = (
    ("morning", gettext_lazy("上午"), datetime.time(8, 30), datetime.time(11, 30)),
    ("afternoon", gettext_lazy("下午"), datetime.time(14, 30), datetime.time(17, 30)),
)


@dataclass
class Slot:
    day: datetime.date
    key: str
    label: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    free: bool


def shared_venues(
    *, district_id: int | None, street_id: int | None = None, people: int = 0, six_haves: bool = False
) -> QuerySet[Venue]:
    """Active venues of a district (every district when ``None``) or one street, fit for ``people``."""
    venues = Venue.objects.filter(is_active=True).select_related("community", "community__street")
    if district_id is not None:
        venues = venues.filter(community__street__district_id=district_id)
    if street_id:
        venues = venues.filter(community__street_id=street_id)
    if people:
        venues = venues.filter(capacity__gte=people)
    if six_haves:
        venues = venues.meeting_six_haves()
    return venues.order_by("community__street__code", "community__code", "name")


def free_slots(*, venues: Iterable[Venue], monday: datetime.date) -> dict[int, list[Slot]]:
    """Each venue's slots in the week from ``monday``, free or taken (one query for all the venues)."""
    start = local_midnight(monday)
    end = start + datetime.timedelta(days=7)
    taken: dict[int, list[tuple[datetime.datetime, datetime.datetime]]] = {}
    for venue_id, starts_at, ends_at in (
        Activity.objects.not_cancelled()
        .filter(venue__in=venues, starts_at__lt=end, ends_at__gt=start)
        .values_list("venue_id", "starts_at", "ends_at")
    ):
        taken.setdefault(venue_id, []).append((starts_at, ends_at))
    now = timezone.now()
    zone = timezone.get_current_timezone()
    result = {}
    for venue in venues:
        slots = []
        for offset in range(7):
            day = monday + datetime.timedelta(days=offset)
            for key, label, begins, finishes in SLOTS:
                starts_at = datetime.datetime.combine(day, begins, tzinfo=zone)
                ends_at = datetime.datetime.combine(day, finishes, tzinfo=zone)
                busy = any(s < ends_at and e > starts_at for s, e in taken.get(venue.pk, ()))
                slots.append(Slot(day, key, str(label), starts_at, ends_at, not busy and starts_at > now))
        result[venue.pk] = slots
    return result


def request_room(*, request: RoomRequest, by: User) -> RoomRequest:
    """Ask for a room; refused, naming the clash, when it is already taken then."""
    request.requested_by = by
    request.status = RoomRequest.Status.PENDING
    request.full_clean()
    if request.people and request.venue.capacity and request.people > request.venue.capacity:
        raise ValidationError(
            _("%(venue)s最多容纳%(capacity)d人。") % {"venue": request.venue.name, "capacity": request.venue.capacity}
        )
    # the asker's own booking is named; another organisation's only as taken
    asked = Activity(
        venue=request.venue,
        community_id=request.venue.community_id,
        organiser_branch=request.branch,
        starts_at=request.starts_at,
        ends_at=request.ends_at,
    )
    check_venue_free(asked)
    request.save()
    return request


@transaction.atomic
def accept_request(*, request: RoomRequest, by: User) -> RoomRequest:
    """The host agrees: the request becomes the branch's activity in the room, refused if the time is taken."""
    request = RoomRequest.objects.select_for_update().select_related("venue", "branch").get(pk=request.pk)
    if request.status != RoomRequest.Status.PENDING:
        raise ValidationError(_("该申请已经答复过了。"), code="answered")
    activity = Activity(
        community_id=request.venue.community_id,
        venue=request.venue,
        kind=request.kind,
        title=request.title,
        starts_at=request.starts_at,
        ends_at=request.ends_at,
        organiser_branch=request.branch,
    )
    save_activity(activity=activity, by=request.requested_by)
    request.status = RoomRequest.Status.ACCEPTED
    request.activity = activity
    request.answered_by, request.answered_at = by, timezone.now()
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError as error:
        if "room_request_no_overlap_accepted" in str(error):
            raise ValidationError(_("该时段刚同意了另一个申请，请刷新后再看。"), code="venue_clash") from None
        raise
    return request


@transaction.atomic
def decline_request(*, request: RoomRequest, by: User, reason: str) -> RoomRequest:
    """The host says no, with the reason the asking unit reads."""
    request = RoomRequest.objects.select_for_update().get(pk=request.pk)
    reason = (reason or "").strip()
    if request.status != RoomRequest.Status.PENDING:
        raise ValidationError(_("该申请已经答复过了。"), code="answered")
    if not reason:
        raise ValidationError(_("请写明不能同意的原因，申请单位会看到。"), code="reason")
    request.status, request.reason = RoomRequest.Status.DECLINED, reason[:200]
    request.answered_by, request.answered_at = by, timezone.now()
    request.save()
    return request


def withdraw_request(*, request: RoomRequest) -> RoomRequest:
    if request.status != RoomRequest.Status.PENDING:
        raise ValidationError(_("只能撤回待答复的申请。"), code="answered")
    request.status = RoomRequest.Status.WITHDRAWN
    request.save(update_fields=["status"])
    return request
