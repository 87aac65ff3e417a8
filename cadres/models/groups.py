"""Interest groups and volunteer teams (兴趣团体/志愿服务队) and the silver-talent pool (银色人才)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cadres.models.people import Cadre, living_q
from communities.models import Community, Venue
from core import dates
from core.scope import ScopedQuerySet


class TalentCategory(models.TextChoices):
    """003: the seven kinds of work the silver talents are filed under."""

    HELP_BUSINESS = "business", _("助企纾困")
    THEORY = "theory", _("理论宣讲")
    RURAL = "rural", _("乡村振兴")
    GOVERNANCE = "governance", _("社会治理")
    CULTURE = "culture", _("文化教育")
    ECOLOGY = "ecology", _("生态文明")
    NEXT_GENERATION = "youth", _("关心下一代")


class ServiceCategory(models.TextChoices):
    """What a need asks for or a resource offers: the talent categories plus daily-life help.

    The first seven share their codes with TalentCategory, so a need is matched to talents
    of the same code ("居民点单、社区派单、达人接单").
    """

    HELP_BUSINESS = "business", _("助企纾困")
    THEORY = "theory", _("理论宣讲")
    RURAL = "rural", _("乡村振兴")
    GOVERNANCE = "governance", _("社会治理")
    CULTURE = "culture", _("文化教育")
    ECOLOGY = "ecology", _("生态文明")
    NEXT_GENERATION = "youth", _("关心下一代")
    LIFE_CARE = "life_care", _("生活照料")
    HEALTH = "health", _("医疗健康")
    LEGAL = "legal", _("法律咨询")
    OTHER = "other", _("其他")


class GroupQuerySet(ScopedQuerySet):
    community_path = "community"

    def active(self):
        return self.filter(is_active=True)


class Group(models.Model):
    """An interest group (书画, 舞蹈, 门球…) or a volunteer team (五老宣讲团, 文艺宣传队…)."""

    class Kind(models.TextChoices):
        INTEREST = "interest", _("兴趣团体")
        VOLUNTEER = "volunteer", _("志愿服务队")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind)
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="cadre_groups", verbose_name=_("所在社区")
    )
    specialty = models.CharField(_("方向"), max_length=50, blank=True, help_text=_("如书画、舞蹈、门球、理论宣讲。"))
    category = models.CharField(
        _("服务类别"), max_length=12, choices=ServiceCategory, blank=True, help_text=_("志愿服务队可接哪一类需求。")
    )
    leader = models.ForeignKey(
        Cadre, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("负责人")
    )
    venue = models.ForeignKey(
        Venue, on_delete=models.SET_NULL, null=True, blank=True, related_name="cadre_groups", verbose_name=_("活动场所")
    )
    founded_on = models.DateField(_("成立时间"), null=True, blank=True, validators=[dates.in_life])
    description = models.TextField(_("简介"), blank=True)
    is_active = models.BooleanField(_("在册"), default=True)

    history = HistoricalRecords()
    objects = GroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("兴趣团体/志愿服务队")
        verbose_name_plural = _("兴趣团体/志愿服务队")
        ordering = ["community_id", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="group_unique_name_in_community"),
        ]
        indexes = [models.Index(fields=["kind", "community"], name="group_kind_community_idx")]

    def __str__(self):
        return self.name


class GroupMembershipQuerySet(ScopedQuerySet):
    community_path = "group__community"


class GroupMembership(models.Model):
    """A cadre in a group or team, as its leader or a member."""

    class Role(models.TextChoices):
        LEADER = "leader", _("负责人")
        MEMBER = "member", _("成员")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("团体"))
    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="group_memberships", verbose_name=_("成员"))
    role = models.CharField(_("身份"), max_length=10, choices=Role, default=Role.MEMBER)
    joined_on = models.DateField(_("加入时间"), null=True, blank=True, validators=[dates.in_life])

    history = HistoricalRecords()
    objects = GroupMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("团体成员")
        verbose_name_plural = _("团体成员")
        ordering = ["group_id", "role", "cadre__name"]
        constraints = [models.UniqueConstraint(fields=["group", "cadre"], name="group_membership_unique")]

    def __str__(self):
        return f"{self.cadre} @ {self.group}"


class TalentQuerySet(ScopedQuerySet):
    community_path = "cadre__community"

    def available(self):
        return self.filter(living_q("cadre__"), is_available=True)

    def search(self, *, category: str = "", words: str = ""):
        """Talents of a category whose specialty, description or name holds every word."""
        talents = self
        if category:
            talents = talents.filter(category=category)
        for word in words.split():
            talents = talents.filter(
                Q(specialty__icontains=word) | Q(description__icontains=word) | Q(cadre__name__contains=word)
            )
        return talents


class Talent(models.Model):
    """A cadre in the silver-talent pool (银色人才), filed under one of the seven categories."""

    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="talents", verbose_name=_("离退休干部"))
    category = models.CharField(_("作用发挥类型"), max_length=12, choices=TalentCategory)
    specialty = models.CharField(_("专业特长"), max_length=100)
    description = models.TextField(_("可提供的服务"), blank=True)
    is_available = models.BooleanField(_("可接单"), default=True)
    registered_on = models.DateField(_("入库时间"), null=True, blank=True, validators=[dates.done])

    history = HistoricalRecords()
    objects = TalentQuerySet.as_manager()

    class Meta:
        verbose_name = _("银色人才")
        verbose_name_plural = _("银色人才")
        ordering = ["category", "cadre__name"]
        constraints = [
            models.UniqueConstraint(fields=["cadre", "category"], name="talent_one_entry_per_category"),
        ]
        indexes = [
            # the pool is searched by category within a scope
            models.Index(fields=["category", "is_available"], name="talent_category_idx"),
        ]

    def __str__(self):
        return f"{self.cadre}（{self.get_category_display()}·{self.specialty}）"
