"""Shared rooms (共享党建阵地): a unit's branch asks a community for its room, and the community answers."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from activities.models.core import Activity
from cadres.models import PartyBranch
from communities.models import Venue
from core import dates
from core.scope import ScopedQuerySet


class RoomRequestQuerySet(ScopedQuerySet):
    # the host community (and its street and district) answers; the asking unit's staff follow it
    community_path = "venue__community"
    unit_paths = ("branch__owner",)

    def pending(self):
        return self.filter(status=RoomRequest.Status.PENDING)


class RoomRequest(models.Model):
    """A branch's request for a time in another organisation's room; accepted, it becomes the activity."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待答复")
        ACCEPTED = "accepted", _("已同意")
        DECLINED = "declined", _("未同意")
        WITHDRAWN = "withdrawn", _("已撤回")

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="room_requests", verbose_name=_("阵地"))
    branch = models.ForeignKey(
        PartyBranch, on_delete=models.PROTECT, related_name="room_requests", verbose_name=_("使用支部")
    )
    kind = models.CharField(
        _("活动类型"), max_length=12, choices=Activity.Kind, default=Activity.Kind.ORGANISATIONAL_LIFE
    )
    title = models.CharField(_("主题"), max_length=200)
    starts_at = models.DateTimeField(_("开始时间"), validators=[dates.planned])
    ends_at = models.DateTimeField(_("结束时间"), validators=[dates.planned])
    people = models.PositiveIntegerField(_("预计人数"), default=10)
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.PENDING)
    reason = models.CharField(_("答复说明"), max_length=200, blank=True, help_text=_("未同意时写明原因。"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("答复人"),
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    activity = models.OneToOneField(
        Activity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="room_request",
        verbose_name=_("活动"),
    )

    history = HistoricalRecords()
    objects = RoomRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("借用阵地申请")
        verbose_name_plural = _("借用阵地申请")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="room_request_ends_after_start",
                violation_error_message=_("结束时间应晚于开始时间。"),
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(reason=""),
                name="room_request_declined_with_reason",
                violation_error_message=_("未同意时请写明原因。"),
            ),
        ]
        indexes = [models.Index(fields=["venue", "starts_at"], name="room_request_venue_start_idx")]

    def __str__(self):
        local = timezone.localtime(self.starts_at) if self.starts_at else None
        return f"{self.branch} @ {self.venue} {local:%Y-%m-%d %H:%M}" if local else str(self.branch)
