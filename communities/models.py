"""Places and scope: streets, communities, venues (阵地) and who may see which."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.scope import ScopedQuerySet, scope_of


class DistrictQuerySet(models.QuerySet):
    def for_user(self, user):
        """The districts ``user`` may see: all of them for the city, else their own."""
        scope = scope_of(user)
        if scope.level == "city":
            return self.all()
        if scope.district_id is None:
            return self.none()
        return self.filter(pk=scope.district_id)


class District(models.Model):
    """A district or county (区/县): one retired-cadre bureau's area. An installation holds one or a city's."""

    name = models.CharField(_("名称"), max_length=50)
    code = models.CharField(
        _("统计用区划代码"),
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", _("区县代码应为6位数字。"))],
        help_text=_("国家统计局统计用区划代码的前6位。"),
    )

    objects = DistrictQuerySet.as_manager()

    class Meta:
        verbose_name = _("区/县")
        verbose_name_plural = _("区/县")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^\d{6}$"),
                name="district_code_6_digits",
                violation_error_message=_("区县代码应为6位数字。"),
            ),
        ]

    def __str__(self):
        return self.name


class StreetQuerySet(models.QuerySet):
    def for_user(self, user):
        """The streets ``user`` may see."""
        scope = scope_of(user)
        if scope.level == "city":
            return self.all()
        if scope.level == "district":
            return self.filter(district_id=scope.district_id)
        if scope.street_id is None:
            return self.none()
        return self.filter(pk=scope.street_id)


class Street(models.Model):
    """A street office or town (街道/镇), in one district."""

    name = models.CharField(_("名称"), max_length=50)
    code = models.CharField(
        _("统计用区划代码"),
        max_length=9,
        unique=True,
        validators=[RegexValidator(r"^\d{9}$", _("街道代码应为9位数字。"))],
        help_text=_("国家统计局统计用区划代码的前9位。"),
    )
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="streets", verbose_name=_("区/县"))

    objects = StreetQuerySet.as_manager()

    class Meta:
        verbose_name = _("街道/镇")
        verbose_name_plural = _("街道/镇")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^\d{9}$"),
                name="street_code_9_digits",
                violation_error_message=_("街道代码应为9位数字。"),
            ),
        ]

    def __str__(self):
        return self.name


class CommunityQuerySet(ScopedQuerySet):
    community_path = ""


class Community(models.Model):
    """A community or village (社区/村), the unit most records belong to."""

    class Kind(models.TextChoices):
        COMMUNITY = "community", _("社区")
        VILLAGE = "village", _("村")

    name = models.CharField(_("名称"), max_length=50)
    code = models.CharField(
        _("统计用区划代码"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^\d{12}$", _("社区代码应为12位数字。"))],
        help_text=_("国家统计局12位统计用区划代码。"),
    )
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="communities", verbose_name=_("街道/镇"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind, default=Kind.COMMUNITY)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_pilot = models.BooleanField(_("试点社区"), default=False)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("社区/村")
        verbose_name_plural = _("社区/村")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^\d{12}$"),
                name="community_code_12_digits",
                violation_error_message=_("社区代码应为12位统计用区划代码。"),
            ),
        ]
        indexes = [
            # roster import matches 居住社区 by exact name; lists sort by street then name
            models.Index(fields=["name"], name="community_name_idx"),
            models.Index(fields=["street", "name"], name="community_street_name_idx"),
        ]

    def __str__(self):
        return self.name


class VenueQuerySet(ScopedQuerySet):
    community_path = "community"

    def meeting_six_haves(self):
        """Venues that tick every one of the six haves (六有)."""
        return self.filter(**{field: True for field in Venue.SIX_HAVES})

    def party_rooms(self):
        return self.filter(kind=Venue.Kind.PARTY_ROOM)


class Venue(models.Model):
    """A place where cadres gather (阵地): a party room, a senior-university branch…"""

    class Kind(models.TextChoices):
        PARTY_ROOM = "party_room", _("党员活动室")
        SENIOR_UNIVERSITY = "senior_university", _("老年大学分校")
        PRACTICE_STATION = "practice_station", _("新时代文明实践站")
        THEATRE = "theatre", _("芳华剧场")
        OPEN_ROOM = "open_room", _("开放式活动室")
        SILVER_HOME = "silver_home", _("银色家园")
        PARTY_SCHOOL = "party_school", _("老干部党校")

    # 000: the "six haves" standard of a shared party room (六有)
    SIX_HAVES = ("has_place", "has_facilities", "has_sign", "has_flag", "has_materials", "has_rules")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="venues", verbose_name=_("所属社区")
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind)
    capacity = models.PositiveIntegerField(_("容纳人数"), default=0)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    coordinator_name = models.CharField(_("负责人"), max_length=50, blank=True)
    coordinator_phone = models.CharField(_("负责人电话"), max_length=20, blank=True)
    has_place = models.BooleanField(_("有场所"), default=False)
    has_facilities = models.BooleanField(_("有设施"), default=False)
    has_sign = models.BooleanField(_("有标志"), default=False)
    has_flag = models.BooleanField(_("有党旗"), default=False)
    has_materials = models.BooleanField(_("有资料"), default=False)
    has_rules = models.BooleanField(_("有制度"), default=False)
    is_active = models.BooleanField(_("在用"), default=True)

    objects = VenueQuerySet.as_manager()

    class Meta:
        verbose_name = _("阵地")
        verbose_name_plural = _("阵地")
        ordering = ["community__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="venue_unique_name_in_community"),
        ]
        indexes = [
            # figures count party rooms by kind within a scope
            models.Index(fields=["kind", "community"], name="venue_kind_community_idx"),
        ]

    def __str__(self):
        return f"{self.community.name}·{self.name}" if self.community_id else self.name

    @property
    def six_haves_count(self):
        return sum(bool(getattr(self, field)) for field in self.SIX_HAVES)


class AuditEvent(models.Model):
    """One security-relevant event: a login, a failed login, a lockout, an import or export.

    Rows are written by ``core.audit.record_event`` and never changed or
    deleted through any screen; reading them takes ``read_audit_trail``.
    """

    class Kind(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGOUT = "logout", _("退出")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKOUT = "lockout", _("账号锁定")
        PASSWORD_CHANGED = "password_changed", _("修改密码")
        EXPORT = "export", _("导出")
        IMPORT = "import", _("导入")
        DOWNLOAD = "download", _("下载")
        MFA_FAILED = "mfa_failed", _("动态口令错误")
        ACCOUNT_CREATED = "account_created", _("开设账号")
        ACCOUNT_CHANGED = "account_changed", _("变更账号")
        PASSWORD_RESET = "password_reset", _("重置密码")
        UNLOCKED = "unlocked", _("解除锁定")
        SENSITIVE_VIEW = "sensitive_view", _("查看敏感信息")
        APPROVAL = "approval", _("台账审核")
        SCREEN_GRANT = "screen_grant", _("大屏授权")

    kind = models.CharField(_("事件"), max_length=20, choices=Kind)
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("账号"),
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=300, blank=True)
    # the account an administrator acted on (account changes), so its history is one filter
    target = models.CharField(_("对象账号"), max_length=150, blank=True, default="")
    rows = models.PositiveIntegerField(_("行数"), null=True, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at"]
        default_permissions = ()
        permissions = [("read_audit_trail", _("可查阅审计日志与修改历史"))]
        indexes = [
            # the audit screen lists newest first, filtered by kind or account
            models.Index(fields=["-at"], name="audit_at_idx"),
            models.Index(fields=["kind", "-at"], name="audit_kind_at_idx"),
            models.Index(fields=["username", "-at"], name="audit_username_at_idx"),
            models.Index(fields=["target", "-at"], name="audit_target_at_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"
