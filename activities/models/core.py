"""What happens: activities held at venues and the sign-in book (签到簿) of each."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cadres.models import Cadre, PartyBranch
from communities.models import Community, Venue
from core import dates
from core.scope import ScopedQuerySet


class ActivityQuerySet(ScopedQuerySet):
    community_path = "community"
    unit_paths = ("organiser_branch__owner",)

    def held(self):
        """Activities that took place: marked held by a sign-in, a written record or a volunteer credit."""
        return self.filter(status=Activity.Status.HELD)

    def not_cancelled(self):
        """Activities planned or held: what occupies a room and what a schedule shows."""
        return self.exclude(status=Activity.Status.CANCELLED)

    def ended(self, now=None):
        """Activities whose end time has passed (on the local clock): only then can anyone have missed them."""
        return self.filter(ends_at__lte=now or timezone.now())

    def between(self, start, end):
        """Activities starting in [start, end)."""
        return self.filter(starts_at__gte=start, starts_at__lt=end)


class Activity(models.Model):
    """An activity of a community: organisational life, a study session, a class…"""

    class Kind(models.TextChoices):
        ORGANISATIONAL_LIFE = "org_life", _("组织生活")
        PARTY_DAY = "party_day", _("主题党日")
        STUDY = "study", _("学习教育/宣讲")
        CULTURE_SPORTS = "culture", _("文体活动")
        VOLUNTEER = "volunteer", _("志愿服务")
        SENIOR_UNIVERSITY = "course", _("老年大学课程")
        SECRETARY_APPOINTMENT = "secretary", _("书记有约")
        STUDY_AT_HOME = "home_study", _("送学上门")
        ONLINE = "online", _("线上辅导")

    class Status(models.TextChoices):
        PLANNED = "planned", _("计划中")
        HELD = "held", _("已举办")
        CANCELLED = "cancelled", _("已取消")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="activities", verbose_name=_("社区")
    )
    venue = models.ForeignKey(
        Venue, on_delete=models.PROTECT, null=True, blank=True, related_name="activities", verbose_name=_("阵地")
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind)
    title = models.CharField(_("主题"), max_length=200)
    starts_at = models.DateTimeField(_("开始时间"), validators=[dates.planned])
    ends_at = models.DateTimeField(_("结束时间"), validators=[dates.planned])
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.PLANNED)
    organiser_branch = models.ForeignKey(
        PartyBranch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("组织支部"),
    )
    record = models.TextField(_("活动记录"), blank=True, help_text=_("写实册：活动内容、发言要点、效果。"))
    series = models.ForeignKey(
        "ActivitySeries",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="occurrences",
        verbose_name=_("所属系列"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="activity_ends_after_start",
                violation_error_message=_("结束时间应晚于开始时间。"),
            ),
        ]
        indexes = [
            # the worker's "this week" list and the figures' period filter
            models.Index(fields=["community", "starts_at"], name="activity_community_start_idx"),
            # the venue schedule and the overlap check
            models.Index(fields=["venue", "starts_at"], name="activity_venue_start_idx"),
            models.Index(fields=["starts_at"], name="activity_start_idx"),
        ]

    def __str__(self):
        local = timezone.localtime(self.starts_at) if self.starts_at else None
        return f"{local:%Y-%m-%d} {self.title}" if local else self.title

    def month_key(self) -> tuple[int | None, datetime.date | None]:
        """The community and day whose month this record counts in (the month lock's key)."""
        return self.community_id, dates.local_day(self.starts_at)

    def organisation(self) -> tuple[str, int | None]:
        """Whose activity this is: the organiser branch's unit, else the branch's community, else the host's.

        Not always the room's community: a unit's branch, or another community's, holds its own activities
        in a room a community lends (共享阵地). The host may move or cancel such a guest's activity, never
        make it its own, and nothing the host is told names it."""
        branch = self.organiser_branch
        if branch is None:
            return ("community", self.community_id)
        if branch.owner_id is not None:
            return ("unit", branch.owner_id)
        return ("community", branch.community_id)

    def is_guest(self) -> bool:
        """Held in the community's room by another organisation (``organisation``)."""
        return self.organisation() != ("community", self.community_id)


class ActivitySeriesQuerySet(ScopedQuerySet):
    community_path = "community"
    unit_paths = ("organiser_branch__owner",)


class ActivitySeries(models.Model):
    """A recurring activity created once (a weekly class, the monthly 书记有约 on the 25th).

    Each date is an ordinary Activity linked to the series, so one date can be moved or
    cancelled without touching the others.
    """

    class Repeat(models.TextChoices):
        WEEKLY = "weekly", _("每周")
        MONTHLY = "monthly", _("每月")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="activity_series", verbose_name=_("社区")
    )
    venue = models.ForeignKey(
        Venue, on_delete=models.PROTECT, null=True, blank=True, related_name="activity_series", verbose_name=_("阵地")
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Activity.Kind)
    title = models.CharField(_("主题"), max_length=200)
    repeat = models.CharField(_("重复"), max_length=10, choices=Repeat)
    first_date = models.DateField(_("开始日期"), validators=[dates.planned])
    last_date = models.DateField(_("结束日期"), validators=[dates.planned])
    start_time = models.TimeField(_("开始时间"))
    end_time = models.TimeField(_("结束时间"))
    organiser_branch = models.ForeignKey(
        PartyBranch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("组织支部")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )

    objects = ActivitySeriesQuerySet.as_manager()

    class Meta:
        verbose_name = _("系列活动")
        verbose_name_plural = _("系列活动")
        constraints = [
            models.CheckConstraint(
                condition=Q(last_date__gte=models.F("first_date")),
                name="series_dates_in_order",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")),
                name="series_ends_after_start",
                violation_error_message=_("结束时间应晚于开始时间。"),
            ),
        ]

    def __str__(self):
        return f"{self.title}（{self.get_repeat_display()}）"


class SignInQuerySet(ScopedQuerySet):
    community_path = "activity__community"
    unit_paths = ("activity__organiser_branch__owner",)


class SignIn(models.Model):
    """One line of an activity's sign-in book: a cadre, or a walk-in resident by name."""

    class Method(models.TextChoices):
        WORKER = "worker", _("工作人员代签")
        QR = "qr", _("扫码签到")
        PAPER = "paper", _("纸质补录")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="sign_ins", verbose_name=_("活动"))
    cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, null=True, blank=True, related_name="sign_ins", verbose_name=_("离退休干部")
    )
    walk_in_name = models.CharField(_("其他居民姓名"), max_length=50, blank=True)
    method = models.CharField(_("签到方式"), max_length=10, choices=Method, default=Method.WORKER)
    # when the tap was made: now, or for a tap stored on a phone with no signal, the moment on the phone
    signed_at = models.DateTimeField(_("签到时间"), default=timezone.now, editable=False, validators=[dates.done])
    # the phone's name for one tap, so a tap sent again (a lost answer, a queue sent after the signal
    # came back) is recognised as the same tap and never counted twice
    client_key = models.UUIDField(_("终端编号"), null=True, blank=True, editable=False)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )

    history = HistoricalRecords()
    objects = SignInQuerySet.as_manager()

    class Meta:
        verbose_name = _("签到")
        verbose_name_plural = _("签到簿")
        ordering = ["activity_id", "signed_at"]
        constraints = [
            # 一员一簿: a person appears once in an activity's sign-in book
            models.UniqueConstraint(
                fields=["activity", "cadre"],
                condition=Q(cadre__isnull=False),
                name="signin_one_per_cadre",
                violation_error_message=_("这位老同志已经签到。"),
            ),
            models.UniqueConstraint(
                fields=["activity", "walk_in_name"],
                condition=Q(cadre__isnull=True),
                name="signin_one_per_walk_in_name",
                violation_error_message=_("这个姓名已经签到。"),
            ),
            models.CheckConstraint(
                condition=(Q(cadre__isnull=False) & Q(walk_in_name="")) | (Q(cadre__isnull=True) & ~Q(walk_in_name="")),
                name="signin_cadre_or_walk_in",
                violation_error_message=_("请选择老干部，或填写群众姓名（二选一）。"),
            ),
            models.UniqueConstraint(
                fields=["activity", "client_key"],
                condition=Q(client_key__isnull=False),
                name="signin_one_per_client_key",
                violation_error_message=_("这次签到已经记录，不会重复登记。"),
            ),
        ]
        indexes = [
            # participation figures count distinct cadres over a period
            models.Index(fields=["cadre", "activity"], name="signin_cadre_activity_idx"),
        ]

    def __str__(self):
        return self.walk_in_name or str(self.cadre)

    def month_key(self) -> tuple[int | None, datetime.date | None]:
        """The community and day whose month this record counts in (the month lock's key)."""
        return self.activity.month_key() if self.activity_id else (None, None)

    @property
    def person_name(self):
        return self.cadre.name if self.cadre_id else self.walk_in_name


def _photo_path(photo, filename):
    # never a guessable public path: files are served only through a view that checks scope
    return f"activity-photos/{photo.activity_id}/{uuid.uuid4().hex}.jpg"


def _thumbnail_path(photo, filename):
    return f"activity-photos/{photo.activity_id}/{uuid.uuid4().hex}-thumb.jpg"


class ActivityPhotoQuerySet(ScopedQuerySet):
    community_path = "activity__community"
    unit_paths = ("activity__organiser_branch__owner",)


class ActivityPhoto(models.Model):
    """A photo of the record book (写实册), re-encoded without EXIF (no GPS) and with a thumbnail."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos", verbose_name=_("活动"))
    image = models.ImageField(_("照片"), upload_to=_photo_path)
    thumbnail = models.ImageField(_("缩略图"), upload_to=_thumbnail_path)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("上传人")
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ActivityPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")
        ordering = ["activity_id", "uploaded_at"]

    def __str__(self):
        return f"{self.activity} #{self.pk}"

    def month_key(self) -> tuple[int | None, datetime.date | None]:
        """The community and day whose month this record counts in (the month lock's key)."""
        return self.activity.month_key() if self.activity_id else (None, None)


class RecordDraft(models.Model):
    """What a worker has typed into an activity's record but not saved yet, kept as they type.

    A phone locks, a session times out, a network drops: the text is on the server (and in the phone's
    own storage) and comes back on the activity's page after the next login. Saving the record ends it.
    """

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="record_drafts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(max_length=20_000)
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("写实记录草稿")
        verbose_name_plural = _("写实记录草稿")
        constraints = [models.UniqueConstraint(fields=["activity", "author"], name="one_record_draft_per_author")]

    def __str__(self):
        return f"{self.activity_id}/{self.author_id}"
