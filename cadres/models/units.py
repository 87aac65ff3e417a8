"""Original units (原单位): the organs, institutions and enterprises cadres retired from."""

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class UnitQuerySet(models.QuerySet):
    def for_user(self, user):
        """Every account with a scope sees every unit: a unit's name is not personal data, and a cadre of any
        unit may live in any community."""
        from core.scope import scope_of

        return self.none() if scope_of(user).level == "none" else self.all()


class Unit(models.Model):
    """An original unit (原单位): where a cadre worked before retiring (原工作单位) or the unit that now
    looks after them (现管单位). A unit of a district (区直) or of the city (市直, no district) owns formal
    retired-cadre branches (建制型支部, ``PartyBranch.owner``) and its staff see its retirees wherever they live."""

    class Kind(models.TextChoices):
        ORGAN = "organ", _("党政机关")
        INSTITUTION = "institution", _("事业单位")
        ENTERPRISE = "enterprise", _("国有企业")
        OTHER = "other", _("其他")

    name = models.CharField(_("单位名称"), max_length=100)
    kind = models.CharField(_("单位类型"), max_length=12, choices=Kind, default=Kind.ORGAN)
    district = models.ForeignKey(
        "communities.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("所属区县"),
        help_text=_("区直单位填写所属区县；市直单位留空。"),
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("原单位")
        verbose_name_plural = _("原单位")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), name="unit_name_unique", violation_error_message=_("已有同名的单位。")
            ),
        ]

    def __str__(self):
        return self.name


def kind_for(name: str) -> str:
    """A new unit's likely kind from its name (the clerk corrects it in the admin)."""
    if any(word in name for word in ("公司", "集团", "银行", "供销社", "厂", "矿")):
        return Unit.Kind.ENTERPRISE
    if any(word in name for word in ("医院", "学校", "中学", "小学", "大学", "学院", "中心", "站", "所")):
        return Unit.Kind.INSTITUTION
    return Unit.Kind.ORGAN
