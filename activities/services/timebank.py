"""The time bank (时间银行): credit hours, exchange points, reverse either; a balance never goes below zero."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity, Need, Redemption, ServiceRecord
from activities.models.timebank import balance, earned_through, points_for, spent_through
from approvals.lock import assert_month_open
from cadres.models import Cadre
from core import dates

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def balance_of(cadre: Cadre) -> int:
    """Points earned less points exchanged, from the entries themselves (never stored)."""
    earned = ServiceRecord.objects.filter(cadre=cadre).aggregate(total=earned_through())["total"]
    spent = Redemption.objects.filter(cadre=cadre).aggregate(total=spent_through())["total"]
    return balance(earned, spent)


def _lock(cadre: Cadre) -> Cadre:
    # every write that can lower a balance takes the cadre's row lock first, so two at once queue up
    return Cadre.objects.select_for_update().get(pk=cadre.pk)


@transaction.atomic
def record_service(
    *,
    cadre: Cadre,
    served_on: datetime.date,
    hours: Decimal | float | str,
    description: str,
    verified_by: User,
    activity: Activity | None = None,
    need: Need | None = None,
) -> ServiceRecord:
    """Credit verified hours of service; points follow the configured rule (TIME_BANK_POINTS_PER_HOUR)."""
    hours = Decimal(str(hours))
    if hours <= 0 or hours > 24:
        raise ValidationError(_("服务时长应在0到24小时之间。"), code="hours")
    if served_on > timezone.localdate():
        raise ValidationError(_("服务日期不能晚于今天。"), code="future")
    assert_month_open(cadre.community_id, served_on)
    record = ServiceRecord(
        cadre=cadre,
        served_on=served_on,
        hours=hours,
        points=points_for(hours),
        description=description.strip(),
        activity=activity,
        need=need,
        verified_by=verified_by,
    )
    record.full_clean(validate_constraints=False)
    record.save()
    return record


@transaction.atomic
def reverse_service(*, record: ServiceRecord, by: User, reason: str) -> ServiceRecord:
    """Cancel a mistaken credit with a reversing entry; refused when its points have already been spent."""
    if record.kind != ServiceRecord.Kind.SERVICE:
        raise ValidationError(_("冲正记录不能再冲正。"), code="reversal")
    cadre = _lock(record.cadre)
    if ServiceRecord.objects.filter(reverses=record).exists():
        raise ValidationError(_("这条记录已经冲正过。"), code="reversed")
    if balance_of(cadre) - record.points < 0:
        raise ValidationError(
            _("%(name)s的积分已兑换，冲正后余额将为负数，请先冲正兑换记录。") % {"name": cadre.name}, code="balance"
        )
    # dated the day it is made, so a correction never writes into a month already reported (docs/approval.md)
    today = timezone.localdate()
    assert_month_open(cadre.community_id, today)
    return ServiceRecord.objects.create(
        cadre=cadre,
        kind=ServiceRecord.Kind.REVERSAL,
        served_on=today,
        hours=-record.hours,
        points=-record.points,
        description=_("冲正：%(reason)s") % {"reason": reason.strip() or record.description},
        activity=record.activity,
        need=record.need,
        reverses=record,
        verified_by=by,
    )


@transaction.atomic
def redeem_points(*, cadre: Cadre, points: int, item: str, on: datetime.date, by: User) -> Redemption:
    """Exchange points (积分兑换); refused when the balance would go below zero, even for two at once."""
    if points <= 0:
        raise ValidationError(_("兑换积分应大于0。"), code="points")
    dates.done(on)
    assert_month_open(cadre.community_id, on)
    cadre = _lock(cadre)
    balance = balance_of(cadre)
    if points > balance:
        raise ValidationError(
            _("%(name)s的积分余额为%(balance)d，不足%(points)d，不能兑换。")
            % {"name": cadre.name, "balance": balance, "points": points},
            code="balance",
        )
    return Redemption.objects.create(cadre=cadre, points=points, item=item.strip(), redeemed_on=on, recorded_by=by)


@transaction.atomic
def reverse_redemption(*, redemption: Redemption, by: User) -> Redemption:
    """Give back the points of a mistaken exchange with a reversing entry."""
    if redemption.reverses_id is not None:
        raise ValidationError(_("冲正记录不能再冲正。"), code="reversal")
    _lock(redemption.cadre)
    if Redemption.objects.filter(reverses=redemption).exists():
        raise ValidationError(_("这条兑换已经冲正过。"), code="reversed")
    assert_month_open(redemption.cadre.community_id, timezone.localdate())
    return Redemption.objects.create(
        cadre=redemption.cadre,
        points=-redemption.points,
        item=_("冲正：%(item)s") % {"item": redemption.item},
        redeemed_on=timezone.localdate(),
        reverses=redemption,
        recorded_by=by,
    )


@transaction.atomic
def credit_volunteer_activity(*, activity: Activity, by: User) -> int:
    """The worker confirms a volunteer-service activity: each signed-in cadre is credited its hours once."""
    if activity.kind != Activity.Kind.VOLUNTEER:
        raise ValidationError(_("只有志愿服务活动才记入时间银行。"), code="kind")
    if activity.status == Activity.Status.CANCELLED:
        raise ValidationError(_("活动已取消。"), code="cancelled")
    if activity.starts_at > timezone.now():
        raise ValidationError(_("活动还没有开始，结束后再确认服务时长。"), code="not_started")
    seconds = (activity.ends_at - activity.starts_at).total_seconds()
    hours = min(Decimal(seconds / 3600).quantize(Decimal("0.1")), Decimal(24))
    served_on = timezone.localtime(activity.starts_at).date()
    assert_month_open(activity.community_id, served_on)
    already = set(activity.service_records.filter(kind=ServiceRecord.Kind.SERVICE).values_list("cadre_id", flat=True))
    credited = 0
    for sign_in in activity.sign_ins.filter(cadre__isnull=False).exclude(cadre_id__in=already).select_related("cadre"):
        if sign_in.cadre is None:  # excluded by the filter; says so to the type checker
            continue
        try:
            with transaction.atomic():
                ServiceRecord.objects.create(
                    cadre=sign_in.cadre,
                    served_on=served_on,
                    hours=hours,
                    points=points_for(hours),
                    description=activity.title,
                    activity=activity,
                    verified_by=by,
                )
        except IntegrityError:
            continue  # another confirmation credited this cadre a moment ago: the constraint kept one entry
        credited += 1
    if activity.status == Activity.Status.PLANNED:
        activity.status = Activity.Status.HELD
        activity.save(update_fields=["status"])
    return credited
