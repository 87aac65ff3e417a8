"""Accounts and roles: who a staff account is, which role it holds, where it works, and its security state.

The tables keep their first names (``portal_staffprofile``, ``communities_staffscope``…): the models moved
here from ``portal`` and ``communities`` without touching the data (see migrations/0001_initial.py).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Community, District, Street
from core.privacy import IDENTITY_PERMISSION, DigestField, EncryptedChar


class Role(models.TextChoices):
    """The roles of the design; each is a Django group of the same name, and an account holds one.

    The system administrator, the bureau and the auditor are the three administrators of
    等保 level 3 (三员分立): accounts, business data and the audit trail, never overlapping.
    """

    SYSADMIN = "sysadmin", _("系统管理员")
    BUREAU = "bureau", _("区局管理员")
    AUDITOR = "auditor", _("审计员")
    STREET = "street", _("街道管理员")
    COMMUNITY = "community", _("社区工作者")
    LEADER = "leader", _("领导")
    UNIT = "unit", _("单位老干部工作人员")


# the roles that work in the Django admin (is_staff follows the role, never set by hand)
ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.BUREAU, Role.AUDITOR, Role.STREET})


def roles_of(user):
    """The role names of ``user``'s groups, cached on the user for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._portal_roles = cached
    return cached


class StaffScope(models.Model):
    """Which part of the organisation a staff account works in: the city, a district, a street, a community,
    or an original unit (its retirees wherever they live)."""

    class Level(models.TextChoices):
        CITY = "city", _("全市")
        DISTRICT = "district", _("全区")
        STREET = "street", _("街道")
        COMMUNITY = "community", _("社区")
        UNIT = "unit", _("原单位")

    # the place each level names (the others stay empty)
    PLACE_FIELDS = {"district": "district", "street": "street", "community": "community", "unit": "unit"}

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_scope", verbose_name=_("账号")
    )
    level = models.CharField(_("范围"), max_length=10, choices=Level)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("区/县")
    )
    street = models.ForeignKey(
        Street, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("街道/镇")
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("社区/村")
    )
    # a string reference: units live in the cadres app, a layer above (no import)
    unit = models.ForeignKey(
        "cadres.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("原单位")
    )

    class Meta:
        db_table = "communities_staffscope"
        verbose_name = _("工作范围")
        verbose_name_plural = _("工作范围")
        constraints = [
            # exactly the place the level names, and nothing else
            models.CheckConstraint(
                condition=(
                    Q(
                        level="city",
                        district__isnull=True,
                        street__isnull=True,
                        community__isnull=True,
                        unit__isnull=True,
                    )
                    | Q(
                        level="district",
                        district__isnull=False,
                        street__isnull=True,
                        community__isnull=True,
                        unit__isnull=True,
                    )
                    | Q(
                        level="street",
                        district__isnull=True,
                        street__isnull=False,
                        community__isnull=True,
                        unit__isnull=True,
                    )
                    | Q(
                        level="community",
                        district__isnull=True,
                        street__isnull=True,
                        community__isnull=False,
                        unit__isnull=True,
                    )
                    | Q(
                        level="unit",
                        district__isnull=True,
                        street__isnull=True,
                        community__isnull=True,
                        unit__isnull=False,
                    )
                ),
                name="staffscope_place_matches_level",
                violation_error_message=_("工作范围与所选区县、街道、社区或单位不一致。"),
            ),
        ]

    def __str__(self):
        place = self.community or self.street or self.district or self.unit or _("全市")
        return f"{self.user} · {place}"

    def clean(self):
        needed = self.PLACE_FIELDS.get(self.level)
        messages = {
            "district": _("区县范围须选择区县。"),
            "street": _("街道范围须选择街道。"),
            "community": _("社区范围须选择社区。"),
            "unit": _("单位范围须选择原单位。"),
        }
        if needed and not getattr(self, f"{needed}_id"):
            raise ValidationError({needed: messages[needed]})
        for field in self.PLACE_FIELDS.values():
            if field != needed:
                setattr(self, field, None)


class StaffProfile(models.Model):
    """What the portal keeps beside a staff account: mobile number for login, password policy state."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile", verbose_name=_("账号")
    )
    mobile = EncryptedChar(_("手机号码"), max_length=20, blank=True, help_text=_("可用手机号码代替用户名登录。"))
    mobile_digest = DigestField(_("手机号码摘要"), source="mobile", unique=True, null=True)
    must_change_password = models.BooleanField(
        _("下次登录须修改密码"), default=True, help_text=_("由管理员开设或重置密码的账号，首次登录须自行修改密码。")
    )
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    SENSITIVE_FIELDS = {"mobile": IDENTITY_PERMISSION, "mobile_digest": IDENTITY_PERMISSION}

    class Meta:
        db_table = "portal_staffprofile"
        verbose_name = _("账号安全信息")
        verbose_name_plural = _("账号安全信息")

    def __str__(self):
        return str(self.user)

    def password_expired(self, *, max_age_days: int, now=None) -> bool:
        """True when the password is older than ``max_age_days`` (等保 assessors expect 90)."""
        since = self.password_changed_at or self.user.date_joined
        return (now or timezone.now()) - since > timezone.timedelta(days=max_age_days)


class LoginThrottle(models.Model):
    """Failed logins of one account name and its lock: kept in the database, so the lockout holds while
    Redis is down and no process restart or cache flush forgives an attacker."""

    name = models.CharField(_("账号名"), max_length=150, unique=True)
    failures = models.PositiveSmallIntegerField(_("连续失败次数"), default=0)
    window_started_at = models.DateTimeField(_("计数开始"), default=timezone.now)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    class Meta:
        db_table = "portal_loginthrottle"
        verbose_name = _("登录失败计数")
        verbose_name_plural = _("登录失败计数")
        default_permissions = ()

    def __str__(self):
        return self.name


class PasswordHistory(models.Model):
    """The hashes of an account's recent passwords: a new one may repeat none of the last five (等保 2.0)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history", verbose_name=_("账号")
    )
    password = models.CharField(_("密码摘要"), max_length=128)
    created_at = models.DateTimeField(_("设置时间"), auto_now_add=True)

    class Meta:
        db_table = "portal_passwordhistory"
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        default_permissions = ()
        indexes = [models.Index(fields=["user", "-created_at"], name="password_history_user_idx")]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d}"
