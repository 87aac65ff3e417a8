"""The three lists (三张清单) of a community: resources, needs and projects."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cadres.models import Cadre, Group, PartyBranch, ServiceCategory, Talent, Visit
from communities.models import Community
from core import dates
from core.scope import ScopedQuerySet


class ResourceQuerySet(ScopedQuerySet):
    community_path = "community"

    def available(self):
        return self.filter(is_available=True)


class Resource(models.Model):
    """What a community can offer (资源清单): rooms, services, skills, funds, goods."""

    class Kind(models.TextChoices):
        ROOM = "room", _("场地")
        SERVICE = "service", _("服务")
        SKILL = "skill", _("技能")
        FUNDS = "funds", _("资金")
        GOODS = "goods", _("物资")

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="resources", verbose_name=_("社区"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind)
    category = models.CharField(_("服务类别"), max_length=12, choices=ServiceCategory)
    name = models.CharField(_("名称"), max_length=100)
    provider = models.CharField(_("提供方"), max_length=100, help_text=_("驻区单位、社区组织或个人。"))
    description = models.TextField(_("说明"), blank=True)
    contact = models.CharField(_("联系人及电话"), max_length=100, blank=True)
    is_available = models.BooleanField(_("可用"), default=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ResourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("资源清单")
        verbose_name_plural = _("资源清单")
        ordering = ["community_id", "kind", "name"]
        indexes = [models.Index(fields=["community", "category"], name="resource_community_cat_idx")]

    def __str__(self):
        return self.name


class NeedQuerySet(ScopedQuerySet):
    community_path = "community"

    def still_open(self):
        """Needs open today (待对接 and 已对接): the figures' own definition (``open_on``), so the worker's
        home and the dashboard always agree."""
        return self.open_on(timezone.localdate())

    def open_on(self, day):
        """Needs that were open on ``day``: raised by then, neither resolved nor closed by then."""
        return self.filter(open_on(day))


def open_on(day) -> Q:
    """The condition of a need open on ``day`` (also usable inside an aggregate's filter)."""
    return (
        Q(raised_on__lte=day)
        & ~Q(resolved_on__lte=day, resolved_on__isnull=False)
        & ~Q(closed_on__lte=day, closed_on__isnull=False)
    )


class Need(models.Model):
    """A need (需求清单) from a cadre or the community, moving 待对接 → 已对接 → 已解决 (or 已关闭)."""

    class Status(models.TextChoices):
        OPEN = "open", _("待对接")
        MATCHED = "matched", _("已对接")
        RESOLVED = "resolved", _("已解决")
        CLOSED = "closed", _("已关闭")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("一般")
        URGENT = "urgent", _("较急")
        CRITICAL = "critical", _("紧急")

    # the only moves a need may make; resolved and closed needs stay as they are
    TRANSITIONS = {
        Status.OPEN: (Status.MATCHED, Status.CLOSED),
        Status.MATCHED: (Status.RESOLVED, Status.CLOSED),
        Status.RESOLVED: (),
        Status.CLOSED: (),
    }

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="needs", verbose_name=_("社区"))
    cadre = models.ForeignKey(
        Cadre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="needs",
        verbose_name=_("提出人"),
        help_text=_("老干部本人提出的需求填写；社区提出的留空。"),
    )
    title = models.CharField(_("需求"), max_length=200)
    description = models.TextField(_("详细说明"), blank=True)
    category = models.CharField(_("类别"), max_length=12, choices=ServiceCategory)
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency, default=Urgency.NORMAL)
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.OPEN, editable=False)
    raised_on = models.DateField(_("提出日期"), validators=[dates.done])
    matched_on = models.DateField(_("对接日期"), null=True, blank=True, editable=False)
    resolved_on = models.DateField(_("解决日期"), null=True, blank=True, editable=False)
    closed_on = models.DateField(_("关闭日期"), null=True, blank=True, editable=False)
    taken_by_talent = models.ForeignKey(
        Talent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="needs_taken",
        verbose_name=_("接单人才"),
        editable=False,
    )
    taken_by_group = models.ForeignKey(
        Group,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="needs_taken",
        verbose_name=_("接单团队"),
        editable=False,
    )
    taken_by_resource = models.ForeignKey(
        Resource,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="needs_met",
        verbose_name=_("使用资源"),
        editable=False,
    )
    taken_by_name = models.CharField(_("接单方"), max_length=100, blank=True, editable=False)
    outcome = models.TextField(_("办理结果"), blank=True, editable=False)
    visit = models.ForeignKey(
        Visit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs",
        verbose_name=_("来自走访"),
        editable=False,
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
        editable=False,
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = NeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("需求清单")
        verbose_name_plural = _("需求清单")
        ordering = ["-raised_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", matched_on__isnull=True, resolved_on__isnull=True, closed_on__isnull=True)
                | Q(status="matched", matched_on__isnull=False, resolved_on__isnull=True, closed_on__isnull=True)
                | Q(status="resolved", matched_on__isnull=False, resolved_on__isnull=False, closed_on__isnull=True)
                | Q(status="closed", resolved_on__isnull=True, closed_on__isnull=False),
                name="need_dates_match_status",
                violation_error_message=_("需求的状态与对接、解决、关闭日期不一致。"),
            ),
            models.CheckConstraint(
                condition=Q(matched_on__isnull=True) | Q(matched_on__gte=models.F("raised_on")),
                name="need_matched_after_raised",
                violation_error_message=_("对接日期不能早于提出日期。"),
            ),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=models.F("matched_on")),
                name="need_resolved_after_matched",
                violation_error_message=_("解决日期不能早于对接日期。"),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("raised_on")),
                name="need_closed_after_raised",
                violation_error_message=_("关闭日期不能早于提出日期。"),
            ),
        ]
        indexes = [
            # the community's list by status, newest first; the period's funnel
            models.Index(fields=["community", "status", "raised_on"], name="need_community_status_idx"),
            models.Index(fields=["raised_on"], name="need_raised_idx"),
            models.Index(fields=["resolved_on"], name="need_resolved_idx"),
        ]

    def __str__(self):
        return self.title

    def month_key(self) -> tuple[int | None, datetime.date | None]:
        """The community and day whose month this record counts in (the month lock's key)."""
        return self.community_id, self.raised_on

    def can_move_to(self, status) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]

    @property
    def taker(self) -> str:
        """Who took the need, as a clerk would name them."""
        if self.taken_by_talent_id:
            return self.taken_by_talent.cadre.name
        if self.taken_by_group_id:
            return self.taken_by_group.name
        return self.taken_by_name


class NeedChangeQuerySet(ScopedQuerySet):
    community_path = "need__community"


class NeedChange(models.Model):
    """One dated step of a need along its way (append-only)."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="changes", verbose_name=_("需求"))
    from_status = models.CharField(_("原状态"), max_length=10, choices=Need.Status, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=Need.Status)
    on = models.DateField(_("日期"), validators=[dates.done])
    note = models.CharField(_("说明"), max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = NeedChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("需求进展")
        verbose_name_plural = _("需求进展")
        ordering = ["need_id", "at", "pk"]

    def __str__(self):
        return f"{self.on} {self.get_to_status_display()}"

    def month_key(self) -> tuple[int | None, datetime.date | None]:
        """The community and day whose month this record counts in (the month lock's key)."""
        return self.need.community_id if self.need_id else None, self.on


class ProjectQuerySet(ScopedQuerySet):
    community_path = "community"


class Project(models.Model):
    """A joint project (共建项目, 项目清单) claimed (认领) by a branch, a group or a unit."""

    class Status(models.TextChoices):
        UNCLAIMED = "unclaimed", _("待认领")
        CLAIMED = "claimed", _("已认领")
        IN_PROGRESS = "in_progress", _("实施中")
        DONE = "done", _("已完成")

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="projects", verbose_name=_("社区"))
    title = models.CharField(_("项目名称"), max_length=200)
    description = models.TextField(_("项目内容"), blank=True)
    category = models.CharField(_("类别"), max_length=12, choices=ServiceCategory)
    status = models.CharField(_("状态"), max_length=12, choices=Status, default=Status.UNCLAIMED)
    claimed_by_branch = models.ForeignKey(
        PartyBranch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("认领支部"),
    )
    claimed_by_group = models.ForeignKey(
        Group, on_delete=models.PROTECT, null=True, blank=True, related_name="projects", verbose_name=_("认领团队")
    )
    claimed_by_unit = models.CharField(_("认领单位"), max_length=100, blank=True, help_text=_("驻区单位或其他组织。"))
    claimed_on = models.DateField(_("认领日期"), null=True, blank=True, validators=[dates.done])
    needs = models.ManyToManyField(Need, blank=True, related_name="projects", verbose_name=_("对应需求"))
    resources = models.ManyToManyField(Resource, blank=True, related_name="projects", verbose_name=_("使用资源"))
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    outcome = models.TextField(_("成效"), blank=True)
    finished_on = models.DateField(_("完成日期"), null=True, blank=True, validators=[dates.done])

    history = HistoricalRecords(m2m_fields=[needs, resources])
    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目清单")
        verbose_name_plural = _("项目清单")
        ordering = ["community_id", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="project_progress_at_most_100",
                violation_error_message=_("进度应在0到100之间。"),
            ),
            models.CheckConstraint(
                condition=Q(status="unclaimed")
                | ~Q(claimed_by_branch__isnull=True, claimed_by_group__isnull=True, claimed_by_unit=""),
                name="project_claimed_has_claimant",
                violation_error_message=_("已认领的项目须填写认领的支部、团队或单位。"),
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(finished_on__isnull=False),
                name="project_done_has_date",
                violation_error_message=_("已完成的项目须填写完成日期。"),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def claimant(self) -> str:
        if self.claimed_by_branch_id:
            return str(self.claimed_by_branch)
        if self.claimed_by_group_id:
            return str(self.claimed_by_group)
        return self.claimed_by_unit
