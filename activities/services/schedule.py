"""Writes of the activities app: sign-ins (签到) and the venue schedule's overlap rule."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from activities.models import Activity, ActivitySeries, SignIn
from approvals.lock import assert_month_open, assert_record_open
from core.dates import local_day, month_start

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from cadres.models import Cadre


def venue_clashes(*, venue, starts_at, ends_at, exclude_pk=None):
    """Non-cancelled activities at ``venue`` overlapping [starts_at, ends_at)."""
    if venue is None:
        return Activity.objects.none()
    clashes = Activity.objects.not_cancelled().filter(venue=venue, starts_at__lt=ends_at, ends_at__gt=starts_at)
    if exclude_pk is not None:
        clashes = clashes.exclude(pk=exclude_pk)
    return clashes.select_related("organiser_branch")  # its organisation() reads the branch


def check_venue_free(activity):
    """Raise a ValidationError naming the clash when the venue is taken at that time."""
    if activity.status == Activity.Status.CANCELLED or not activity.venue_id:
        return
    clash = venue_clashes(
        venue=activity.venue, starts_at=activity.starts_at, ends_at=activity.ends_at, exclude_pk=activity.pk
    ).first()
    if clash is not None and clash.organisation() != activity.organisation():
        # another organisation's booking: the refusal says the room is taken, not by whom or for what
        raise ValidationError(
            _("%(venue)s在这段时间已被其他组织预约，请换个时间或场地。") % {"venue": activity.venue.name},
            code="venue_clash",
        )
    if clash is not None:
        local = timezone.localtime(clash.starts_at)
        raise ValidationError(
            _("%(venue)s在这段时间已安排“%(title)s”（%(date)s %(start)s–%(end)s），请换个时间或场地。")
            % {
                "venue": activity.venue.name,
                "title": clash.title,
                "date": date_format(local, "MONTH_DAY_FORMAT"),
                "start": f"{local:%H:%M}",
                "end": f"{timezone.localtime(clash.ends_at):%H:%M}",
            },
            code="venue_clash",
        )


@contextmanager
def _taken_meanwhile() -> Iterator[None]:
    """A write that books a venue: PostgreSQL's exclusion constraint catching a booking saved at the same
    moment by someone else is a refusal the person can act on, never a 500 (the one home of that race)."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        if "activity_no_overlap_at_venue" in str(error):
            raise ValidationError(_("该场地这段时间刚被其他人预约，请刷新后换个时间。"), code="venue_clash") from None
        raise


@transaction.atomic
def save_activity(*, activity: Activity, by: User | None = None) -> Activity:
    """Validate and save an activity; two overlapping ones at one venue are refused with the clash named."""
    activity.full_clean()
    assert_record_open(activity)
    check_venue_free(activity)
    if activity.pk is None and by is not None:
        activity.created_by = by
    with _taken_meanwhile():
        activity.save()
    return activity


def check_sign_in(
    *, activity: Activity, cadre: Cadre | None = None, walk_in_name: str = "", month_checked: bool = False
) -> None:
    """The rules of a sign-in: an activity not cancelled, of a month not locked, a living cadre or a walk-in's
    name (``month_checked``: the caller checked the month's lock once for a whole batch)."""
    if activity.status == Activity.Status.CANCELLED:
        raise ValidationError(_("活动已取消，不能签到。"), code="cancelled")
    if not month_checked:
        assert_month_open(activity.community_id, local_day(activity.starts_at))
    if cadre is not None and cadre.deceased_on is not None:
        raise ValidationError(_("%(name)s已去世，不能签到。") % {"name": cadre.name}, code="deceased")
    if cadre is None and not walk_in_name.strip():
        raise ValidationError(_("请填写姓名。"), code="name_required")


@transaction.atomic
def record_sign_in(
    *,
    activity: Activity,
    cadre: Cadre | None = None,
    walk_in_name: str = "",
    by: User | None = None,
    method: str = SignIn.Method.WORKER,
    key: uuid.UUID | None = None,
    tapped_at: datetime.datetime | None = None,
) -> tuple[SignIn, bool]:
    """Sign a cadre (or a walk-in resident, by name) in; signing in twice yields the same one line.

    ``key`` is the phone's name for the tap: the same tap sent again answers with its line. ``tapped_at``
    is when a tap stored on a phone without signal was made (trusted only within the last two days).
    """
    return _sign_in(
        activity=activity, cadre=cadre, walk_in_name=walk_in_name, by=by, method=method, key=key, tapped_at=tapped_at
    )


def _sign_in(
    *,
    activity: Activity,
    cadre: Cadre | None,
    walk_in_name: str,
    by: User | None,
    method: str = SignIn.Method.WORKER,
    key: uuid.UUID | None = None,
    tapped_at: datetime.datetime | None = None,
    month_checked: bool = False,
) -> tuple[SignIn, bool]:
    """``record_sign_in`` inside the caller's transaction (``month_checked``: it read the month's lock)."""
    check_sign_in(activity=activity, cadre=cadre, walk_in_name=walk_in_name, month_checked=month_checked)
    if key is not None:
        replayed = SignIn.objects.filter(activity=activity, client_key=key).first()
        if replayed is not None:
            same = replayed.cadre_id == cadre.pk if cadre else replayed.walk_in_name == walk_in_name.strip()
            if same:
                return replayed, False
            key = None  # a key reused for someone else (a phone's bug): this tap is written without it
    lookup: dict[str, object]
    if cadre is not None:
        lookup = {"activity": activity, "cadre": cadre}
    else:
        lookup = {"activity": activity, "cadre": None, "walk_in_name": walk_in_name.strip()}
    defaults = {"signed_by": by, "method": method, "client_key": key, "signed_at": _trusted(tapped_at)}
    try:
        with transaction.atomic():
            sign_in, created = SignIn.objects.get_or_create(**lookup, defaults=defaults)
    except IntegrityError:
        # two taps (or two workers, or a tap and its resend) at the same moment: the database kept one line
        sign_in, created = SignIn.objects.get(**lookup), False
    if activity.status == Activity.Status.PLANNED:  # someone came: the activity took place
        Activity.objects.filter(pk=activity.pk, status=Activity.Status.PLANNED).update(status=Activity.Status.HELD)
        activity.status = Activity.Status.HELD
    return sign_in, created


def _trusted(tapped_at: datetime.datetime | None) -> datetime.datetime:
    now = timezone.now()
    if tapped_at is None or timezone.is_naive(tapped_at):
        return now
    if now - datetime.timedelta(days=2) <= tapped_at <= now:
        return tapped_at
    return now  # a phone's clock that is wrong (or a made-up time) is not written into the book


# what a phone's queued tap came to
SYNC_SIGNED, SYNC_ALREADY, SYNC_REFUSED = "signed", "already", "refused"
SYNC_BATCH_MAX = 200  # a phone's queue is a morning's taps at most


@transaction.atomic
def sync_sign_ins(*, activity: Activity, taps: list[dict], by: User) -> list[dict[str, object]]:
    """Record the taps a phone stored while it had no signal, each exactly once.

    Each tap is ``{"key", "cadre" or "walk_in_name", "at"}``. Its answer is ``signed`` (now in the book,
    also when this very tap had already arrived), ``already`` (someone else signed the person in: a QR
    sign-in, another worker) or ``refused`` with the reason (the activity was cancelled meanwhile, the
    person is not in the worker's scope or has died). One tap refused does not stop the others.
    """
    from cadres.models import Cadre

    wanted = {tap["cadre"] for tap in taps if tap.get("cadre")}
    cadres = Cadre.objects.for_user(by).in_bulk(wanted) if wanted else {}
    answers: list[dict[str, object]] = []
    try:  # the month's lock, once for the batch
        assert_month_open(activity.community_id, local_day(activity.starts_at))
    except ValidationError as error:
        message = " ".join(error.messages)
        return [{"key": str(tap["key"]), "status": SYNC_REFUSED, "message": message} for tap in taps[:SYNC_BATCH_MAX]]
    for tap in taps[:SYNC_BATCH_MAX]:
        answer: dict[str, object] = {"key": str(tap["key"])}
        cadre = cadres.get(tap.get("cadre")) if tap.get("cadre") else None
        if tap.get("cadre") and cadre is None:
            answers.append({**answer, "status": SYNC_REFUSED, "message": _("不在本社区名单中，未签到。")})
            continue
        try:
            sign_in, created = _sign_in(
                activity=activity,
                cadre=cadre,
                walk_in_name="" if cadre else tap.get("walk_in_name", ""),
                by=by,
                key=tap["key"],
                tapped_at=tap.get("at"),
                month_checked=True,
            )
        except ValidationError as error:
            answers.append({**answer, "status": SYNC_REFUSED, "message": " ".join(error.messages)})
            continue
        replay = sign_in.client_key == tap["key"]
        status = SYNC_SIGNED if created or replay else SYNC_ALREADY
        answers.append({**answer, "status": status, "sign_in": sign_in.pk})
    return answers


@transaction.atomic
def undo_sign_in(*, sign_in: SignIn) -> None:
    """Take back a mistaken tap; an activity left with no sign-in and no record is planned again."""
    assert_record_open(sign_in)
    sign_in.delete()
    activity = sign_in.activity
    evidence = activity.record or activity.sign_ins.exists() or activity.service_records.exists()
    if activity.status == Activity.Status.HELD and not evidence:
        Activity.objects.filter(pk=activity.pk).update(status=Activity.Status.PLANNED)
        activity.status = Activity.Status.PLANNED


def series_dates(series: ActivitySeries) -> list:
    """The dates of a series: every week on the first date's weekday, or every month on its day."""
    dates, day = [], series.first_date
    if series.repeat == series.Repeat.WEEKLY:
        while day <= series.last_date:
            dates.append(day)
            day += datetime.timedelta(days=7)
        return dates
    year, month = day.year, day.month
    while True:
        try:
            candidate = datetime.date(year, month, series.first_date.day)
        except ValueError:  # the 31st in a short month: that month has no date
            candidate = None
        if candidate and candidate > series.last_date:
            break
        if candidate:
            dates.append(candidate)
        month = month % 12 + 1
        year += month == 1
        if datetime.date(year, month, 1) > series.last_date:
            break
    return dates


@transaction.atomic
def create_series(*, series: ActivitySeries, by: User | None = None) -> list:
    """Create a recurring activity and all its dates at once; any clash refuses the whole series, naming the dates."""
    series.full_clean()
    for month in sorted({month_start(day) for day in series_dates(series)}):
        assert_month_open(series.community_id, month)  # no date may fall in a frozen month
    if series.pk is None:
        series.created_by = by
    series.save()
    tz = timezone.get_current_timezone()
    occurrences, clashes = [], []
    for day in series_dates(series):
        activity = Activity(
            community=series.community,
            venue=series.venue,
            kind=series.kind,
            title=series.title,
            organiser_branch=series.organiser_branch,
            series=series,
            created_by=by,
            starts_at=timezone.make_aware(datetime.datetime.combine(day, series.start_time), tz),
            ends_at=timezone.make_aware(datetime.datetime.combine(day, series.end_time), tz),
        )
        clash = venue_clashes(venue=series.venue, starts_at=activity.starts_at, ends_at=activity.ends_at).first()
        if clash is not None:
            # another organisation's booking is named as such, never by its title
            title = clash.title if clash.organisation() == activity.organisation() else _("其他组织预约")
            clashes.append(_("%(date)s（%(title)s）") % {"date": date_format(day, "MONTH_DAY_FORMAT"), "title": title})
        occurrences.append(activity)
    if clashes:
        raise ValidationError(
            _("以下日期该场地已有安排：%(dates)s。请换个时间或场地。") % {"dates": "、".join(clashes)},
            code="venue_clash",
        )
    if not occurrences:
        raise ValidationError(_("这个时间范围内没有日期。"), code="empty_series")
    with _taken_meanwhile():  # someone may book one of the dates just now
        Activity.objects.bulk_create(occurrences)
    return occurrences


@transaction.atomic
def cancel_activity(*, activity: Activity) -> Activity:
    """Cancel one activity (one date of a series); its slot at the venue is freed."""
    assert_record_open(activity)
    activity.status = Activity.Status.CANCELLED
    activity.save(update_fields=["status"])
    return activity


@transaction.atomic
def restore_activity(*, activity: Activity) -> Activity:
    """Undo a cancellation: the activity is planned again, if its slot at the venue is still free."""
    if activity.status != Activity.Status.CANCELLED:
        return activity
    assert_record_open(activity)
    held = activity.sign_ins.exists() or bool(activity.record) or activity.service_records.exists()
    activity.status = Activity.Status.HELD if held else Activity.Status.PLANNED
    try:
        check_venue_free(activity)  # names the activity that took the slot meanwhile
    except ValidationError:
        activity.status = Activity.Status.CANCELLED
        raise
    try:
        with _taken_meanwhile():  # booked by someone else a moment ago
            activity.save(update_fields=["status"])
    except ValidationError:
        activity.status = Activity.Status.CANCELLED
        raise
    return activity


@transaction.atomic
def save_record(*, activity: Activity, text: str, by: User) -> Activity:
    """The activity's written record (写实); an activity with a record has been held; the author's draft goes."""
    from activities.models import RecordDraft

    assert_record_open(activity)
    activity.record = text.strip()[: RecordDraft._meta.get_field("text").max_length]
    if activity.record and activity.status == Activity.Status.PLANNED:
        activity.status = Activity.Status.HELD
    activity.save(update_fields=["record", "status"])
    RecordDraft.objects.filter(activity=activity, author=by).delete()
    return activity
