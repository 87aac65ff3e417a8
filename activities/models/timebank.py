"""The time bank (时间银行): service hours earn points, points are exchanged; both append-only.

A balance is never stored: it is the sum of a person's service points less the sum of their
redemptions. A correction is a reversing entry, never an edit or a delete.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from activities.models.core import Activity
from activities.models.lists import Need
from cadres.models import Cadre
from core import dates
from core.scope import ScopedQuerySet


class ServiceRecordQuerySet(ScopedQuerySet):
    community_path = "cadre__community"


class ServiceRecord(models.Model):
    """Hours a cadre served (for a need or an activity) and the points they earned, or a reversal of such."""

    class Kind(models.TextChoices):
        SERVICE = "service", _("服务")
        REVERSAL = "reversal", _("冲正")

    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="service_records", verbose_name=_("服务人"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind, default=Kind.SERVICE)
    served_on = models.DateField(_("服务日期"), validators=[dates.done])
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=5, decimal_places=1)
    points = models.IntegerField(_("积分"))
    description = models.CharField(_("服务内容"), max_length=200)
    activity = models.ForeignKey(
        Activity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_records",
        verbose_name=_("志愿服务活动"),
    )
    need = models.ForeignKey(
        Need,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_records",
        verbose_name=_("对应需求"),
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("冲正的记录"),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("核实人")
    )
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ServiceRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务时长记录")
        verbose_name_plural = _("时间银行·服务记录")
        ordering = ["-served_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="service", hours__gt=0, hours__lte=24, points__gte=0, reverses__isnull=True)
                | Q(kind="reversal", hours__lt=0, points__lte=0, reverses__isnull=False),
                name="service_record_signs_match_kind",
                violation_error_message=_("服务时长和积分的正负与记录类型不一致。"),
            ),
            # a volunteer activity credits each cadre once, however often the worker confirms it
            models.UniqueConstraint(
                fields=["activity", "cadre"],
                condition=Q(kind="service", activity__isnull=False),
                name="service_record_once_per_activity",
                violation_error_message=_("这位老同志已为该活动记过服务时长。"),
            ),
        ]
        indexes = [
            models.Index(fields=["cadre", "served_on"], name="service_cadre_day_idx"),
            models.Index(fields=["served_on"], name="service_day_idx"),
        ]

    def __str__(self):
        return f"{self.served_on} {self.cadre} {self.hours}h"

    def month_key(self) -> tuple[int | None, datetime.date | None]:
        """The community and day whose month this record counts in (the month lock's key)."""
        return self.cadre.community_id if self.cadre_id else None, self.served_on


def points_for(hours) -> int:
    """Points earned for ``hours`` of service: TIME_BANK_POINTS_PER_HOUR a hour, rounded half up."""
    rate = Decimal(settings.TIME_BANK_POINTS_PER_HOUR)
    return int((Decimal(hours) * rate).quantize(Decimal(1), rounding="ROUND_HALF_UP"))


# --- the balance: one definition for the clerk's form, the figures and the ledgers -------------------


def earned_through(day: datetime.date | None = None) -> Sum:
    """Points earned (reversals included, so net) up to and including ``day``; all of them when None."""
    return Sum("points", filter=Q(served_on__lte=day)) if day else Sum("points")


def spent_through(day: datetime.date | None = None) -> Sum:
    """Points exchanged (reversals included) up to and including ``day``; all of them when None."""
    return Sum("points", filter=Q(redeemed_on__lte=day)) if day else Sum("points")


def balance(earned: int | None, spent: int | None) -> int:
    """Points held: earned less exchanged (an aggregate over no rows is None, which is 0)."""
    return (earned or 0) - (spent or 0)


class RedemptionQuerySet(ScopedQuerySet):
    community_path = "cadre__community"


class Redemption(models.Model):
    """Points exchanged for goods or services (积分兑换), or the reversal of an exchange."""

    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("兑换人"))
    points = models.IntegerField(_("积分"))
    item = models.CharField(_("兑换内容"), max_length=100)
    redeemed_on = models.DateField(_("兑换日期"), validators=[dates.done])
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("冲正的兑换"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("经办人")
    )
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = RedemptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分兑换")
        verbose_name_plural = _("时间银行·积分兑换")
        ordering = ["-redeemed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reverses__isnull=True, points__gt=0) | Q(reverses__isnull=False, points__lt=0),
                name="redemption_signs_match_kind",
                violation_error_message=_("兑换积分的正负与记录类型不一致。"),
            ),
        ]
        indexes = [models.Index(fields=["cadre", "redeemed_on"], name="redemption_cadre_day_idx")]

    def __str__(self):
        return f"{self.redeemed_on} {self.cadre} {self.item}"

    def month_key(self) -> tuple[int | None, datetime.date | None]:
        """The community and day whose month this record counts in (the month lock's key)."""
        return self.cadre.community_id if self.cadre_id else None, self.redeemed_on
