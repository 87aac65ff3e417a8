"""The reports' records: ledgers (台账), their runs, completeness rules and weekly reminders."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scope import ScopedQuerySet, scope_of


def validate_star_thresholds(value: str) -> None:
    """Five whole scores from 0 to 100, rising: the lines for one to five stars."""
    try:
        lines = [int(part) for part in value.split(",")]
    except ValueError:
        lines = []
    if len(lines) != 5 or any(not 0 <= line <= 100 for line in lines) or lines != sorted(set(lines)):
        raise ValidationError(_("请填5个从低到高的分数（0—100），用逗号分开，例如 40,55,70,85,95。"))


class LedgerRun(models.Model):
    """One build of a month's (or a year's) ledgers: when it ran, what it built, what failed.

    Its units (LedgerRunUnit, one per community, street and the district) are the work; the run is done
    when every unit is finished. A run never counts more built than it expects (a check constraint), and a
    period has at most one run in progress (a second 生成台账 joins it).
    """

    class Trigger(models.TextChoices):
        BEAT = "beat", _("定时任务")
        COMMAND = "command", _("命令行")
        ADMIN = "admin", _("后台重建")
        CHECK = "check", _("每日核查补建")
        CHANGED = "changed", _("记录变更后重算")
        ACCEPTED = "accepted", _("区审定后重算")

    class Status(models.TextChoices):
        RUNNING = "running", _("进行中")
        DONE = "done", _("完成")
        PARTIAL = "partial", _("部分失败")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=5, choices=[("month", _("月度台账")), ("year", _("年报"))])
    period_start = models.DateField(_("期间"))
    trigger = models.CharField(_("触发方式"), max_length=10, choices=Trigger)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.RUNNING)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    progress_at = models.DateTimeField(_("最近进展"), null=True, blank=True)
    scopes_expected = models.PositiveIntegerField(_("应生成"), default=0)
    scopes_built = models.PositiveIntegerField(_("已生成"), default=0)
    failures = models.JSONField(_("失败"), default=list, blank=True)
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    resumed = models.PositiveSmallIntegerField(_("续跑次数"), default=0)

    class Meta:
        verbose_name = _("台账生成记录")
        verbose_name_plural = _("台账生成记录")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["-started_at"], name="ledgerrun_started_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_start"],
                condition=models.Q(status="running"),
                name="ledgerrun_one_running_per_period",
                violation_error_message=_("该期间的台账正在生成，请等待完成。"),
            ),
            models.CheckConstraint(
                condition=models.Q(scopes_built__lte=models.F("scopes_expected")),
                name="ledgerrun_built_within_expected",
                violation_error_message=_("已生成数不能超过应生成数。"),
            ),
        ]

    def __str__(self):
        label = f"{self.period_start:%Y}" if self.kind == "year" else f"{self.period_start:%Y-%m}"
        return f"{label} {self.get_trigger_display()} {self.get_status_display()}"

    @property
    def is_running(self):
        return self.status == self.Status.RUNNING


class LedgerRunUnit(models.Model):
    """One scope's ledger within a run: queued, claimed by one task, built (or failed with its reason).

    ``parent`` is the roll-up that waits for it (a community's street, a street's district): a roll-up is
    queued once every unit under it has finished. ``task_id`` is the task that holds the unit; a copy of
    the message (a re-delivery, the sweeper's re-send) finds it held and stops, so no ledger is built twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("等待")
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已生成")
        FAILED = "failed", _("失败")

    run = models.ForeignKey(LedgerRun, on_delete=models.CASCADE, related_name="units", verbose_name=_("生成批次"))
    key = models.CharField(_("范围"), max_length=30)
    parent = models.CharField(_("上级汇总"), max_length=30, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    task_id = models.CharField(_("任务"), max_length=64, blank=True)
    queued_at = models.DateTimeField(_("排队时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    error = models.CharField(_("失败原因"), max_length=300, blank=True)

    FINISHED = (Status.DONE, Status.FAILED)

    class Meta:
        verbose_name = _("台账生成单元")
        verbose_name_plural = _("台账生成单元")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["run", "key"], name="ledgerrununit_one_per_scope"),
        ]
        indexes = [models.Index(fields=["run", "status"], name="ledgerrununit_status_idx")]

    def __str__(self):
        return f"{self.key} {self.get_status_display()}"


class LedgerReportQuerySet(models.QuerySet):
    def for_user(self, user):
        """Ledgers of the user's scope: every one for the city; a district's, its streets' and communities' for
        the district; a street's and its communities' for the street; a community's own."""
        scope = scope_of(user)
        if scope.level == "city":
            return self.all()
        if scope.level == "district":
            return self.filter(
                models.Q(level=LedgerReport.Level.DISTRICT, district_id=scope.district_id)
                | models.Q(level=LedgerReport.Level.STREET, street__district_id=scope.district_id)
                | models.Q(level=LedgerReport.Level.COMMUNITY, community__street__district_id=scope.district_id)
            )
        if scope.level == "street":
            return self.filter(
                models.Q(level=LedgerReport.Level.STREET, street_id=scope.street_id)
                | models.Q(level=LedgerReport.Level.COMMUNITY, community__street_id=scope.street_id)
            )
        if scope.level == "community":
            return self.filter(level=LedgerReport.Level.COMMUNITY, community_id=scope.community_id)
        return self.none()


class LedgerReport(models.Model):
    """A ledger (台账) of one scope for one month (or a year's summary, 年报): its figures and its workbook."""

    class Level(models.TextChoices):
        CITY = "city", _("全市")
        DISTRICT = "district", _("区县")
        STREET = "street", _("街道")
        COMMUNITY = "community", _("社区")

    class Kind(models.TextChoices):
        MONTH = "month", _("月度台账")
        YEAR = "year", _("年报")

    kind = models.CharField(_("类型"), max_length=5, choices=Kind, default=Kind.MONTH)
    level = models.CharField(_("范围"), max_length=10, choices=Level)
    district = models.ForeignKey(
        "communities.District",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("区/县"),
    )
    street = models.ForeignKey(
        "communities.Street",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("街道/镇"),
    )
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("社区/村"),
    )
    period_start = models.DateField(_("期间"), help_text=_("月度台账为当月1日，年报为1月1日。"))
    figures = models.JSONField(_("数据"), default=dict)
    checks = models.JSONField(_("完整性检查"), default=list, blank=True)
    file = models.FileField(_("台账文件"), upload_to="ledgers/")
    built_at = models.DateTimeField(_("生成时间"))
    run = models.ForeignKey(
        LedgerRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports", verbose_name=_("生成批次")
    )

    objects = LedgerReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("台账")
        verbose_name_plural = _("台账")
        ordering = ["-period_start", "level", "street_id", "community_id"]
        constraints = [
            # rebuilding a month replaces its ledger: one row per scope, kind and period
            models.UniqueConstraint(
                fields=["kind", "period_start"],
                condition=models.Q(level="city"),
                name="ledger_one_per_city",
                violation_error_message=_("该期间的全市台账已存在。"),
            ),
            models.UniqueConstraint(
                fields=["kind", "period_start", "district"],
                condition=models.Q(level="district"),
                name="ledger_one_per_district",
                violation_error_message=_("该区县该期间的台账已存在。"),
            ),
            models.UniqueConstraint(
                fields=["kind", "period_start", "street"],
                condition=models.Q(level="street"),
                name="ledger_one_per_street",
                violation_error_message=_("该街道该期间的台账已存在。"),
            ),
            models.UniqueConstraint(
                fields=["kind", "period_start", "community"],
                condition=models.Q(level="community"),
                name="ledger_one_per_community",
                violation_error_message=_("该社区该期间的台账已存在。"),
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(level="city", district__isnull=True, street__isnull=True, community__isnull=True)
                    | models.Q(level="district", district__isnull=False, street__isnull=True, community__isnull=True)
                    | models.Q(level="street", district__isnull=True, street__isnull=False, community__isnull=True)
                    | models.Q(level="community", district__isnull=True, street__isnull=True, community__isnull=False)
                ),
                name="ledger_place_matches_level",
                violation_error_message=_("台账的层级与区县、街道、社区不一致。"),
            ),
        ]
        indexes = [models.Index(fields=["kind", "-period_start"], name="ledger_kind_period_idx")]

    def __str__(self):
        return f"{self.scope_name} {self.period_label} {self.get_kind_display()}"

    @property
    def scope_name(self):
        if self.level == self.Level.COMMUNITY:
            return self.community.name
        if self.level == self.Level.STREET:
            return self.street.name
        if self.level == self.Level.DISTRICT:
            return self.district.name
        return str(_("全市"))

    @property
    def missing_count(self):
        """How many items the completeness checks found missing (community month ledgers)."""
        return sum(len(check.get("missing", [])) for check in self.checks if isinstance(check, dict))

    @property
    def period_label(self):
        return f"{self.period_start:%Y}" if self.kind == self.Kind.YEAR else f"{self.period_start:%Y-%m}"


class CompletenessRule(models.Model):
    """A check each community ledger ends with; the bureau turns them on and off and sets their thresholds."""

    class Code(models.TextChoices):
        ROOMS_USED = "rooms_used", _("每个党员活动室当月开展活动")
        SECRETARY_DAY = "secretary_day", _("每个建制型支部当月开展“书记有约”")
        ORGANISATIONAL_LIFE = "org_life", _("每个支部当月过组织生活或主题党日")
        CARE_VISITED = "care_visited", _("每个帮扶对象都在走访周期内走访")
        NEEDS_ANSWERED = "needs_answered", _("待对接需求不超过规定天数")

    code = models.CharField(_("检查项"), max_length=20, choices=Code, unique=True)
    is_active = models.BooleanField(_("启用"), default=True)
    threshold = models.PositiveSmallIntegerField(
        _("标准"), default=1, help_text=_("活动室：当月至少开展几次活动；需求：待对接最多几天。其他检查项不用。")
    )

    class Meta:
        verbose_name = _("台账完整性检查")
        verbose_name_plural = _("台账完整性检查")
        ordering = ["code"]

    def __str__(self):
        return self.get_code_display()


class WeeklyReminderQuerySet(ScopedQuerySet):
    community_path = "community"


class WeeklyReminder(models.Model):
    """A community's reminders for a week: care visits overdue and the coming week's milestone birthdays."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+", verbose_name=_("社区")
    )
    week_start = models.DateField(_("周一"))
    overdue = models.JSONField(_("逾期未走访"), default=list)
    birthdays = models.JSONField(_("整寿生日"), default=list)
    built_at = models.DateTimeField(_("生成时间"))

    objects = WeeklyReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("每周提醒")
        verbose_name_plural = _("每周提醒")
        ordering = ["-week_start", "community_id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "week_start"], name="reminder_one_per_community_week")
        ]

    def __str__(self):
        return f"{self.community} {self.week_start}"


class ReportingSettings(models.Model):
    """The bureau's settings for monthly reporting and the pilot scorecard (one row, created on first use)."""

    deadline_day = models.PositiveSmallIntegerField(
        _("报送截止日"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("每月几日（含）前提交上月台账算按时报送，1—28。"),
    )
    pilot_score = models.PositiveSmallIntegerField(
        _("示范点分数线"), default=85, validators=[MaxValueValidator(100)], help_text=_("季度得分达到此分为示范点。")
    )
    star_thresholds = models.CharField(
        _("星级分数线"),
        max_length=40,
        default="40,55,70,85,95",
        validators=[validate_star_thresholds],
        help_text=_("一星到五星的分数线，用逗号分开，从低到高，例如 40,55,70,85,95。"),
    )

    class Meta:
        verbose_name = _("报送与评星设置")
        verbose_name_plural = _("报送与评星设置")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline_day__gte=1, deadline_day__lte=28),
                name="reporting_deadline_in_month",
                violation_error_message=_("报送截止日应在1—28日之间。"),
            ),
        ]

    def __str__(self):
        return str(_("报送与评星设置"))

    @classmethod
    def current(cls) -> "ReportingSettings":
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row

    @property
    def stars(self) -> list[int]:
        return [int(part) for part in self.star_thresholds.split(",")]


class ScoreCriterion(models.Model):
    """One criterion of the pilot-community scorecard (示范点): a measure from the figures, its weight and target."""

    class Measure(models.TextChoices):
        SIX_HAVES = "six_haves", _("党员活动室“六有”达标")
        BRANCH_FORMED = "branch_formed", _("3名以上党员的社区已建支部")
        ACTIVITIES = "activities", _("月均开展活动（次）")
        ATTENDANCE = "attendance", _("支部活动参与率")
        VISITS_ON_TIME = "visits_on_time", _("帮扶对象按时走访率")
        NEEDS_IN_30_DAYS = "needs_30_days", _("需求30天内解决率")
        REPORTING_ON_TIME = "reporting_on_time", _("台账按时报送率")

    measure = models.CharField(_("指标"), max_length=20, choices=Measure, unique=True)
    weight = models.PositiveSmallIntegerField(_("权重"), default=10, validators=[MaxValueValidator(100)])
    target = models.DecimalField(
        _("满分标准"),
        max_digits=6,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("达到此值得满分，低于按比例得分。比率填0—1（如0.8），活动填每月次数（如4）。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("示范点评分指标")
        verbose_name_plural = _("示范点评分指标")
        ordering = ["measure"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target__gt=0),
                name="score_target_positive",
                violation_error_message=_("满分标准应大于0。"),
            ),
        ]

    def __str__(self):
        return self.get_measure_display()
