"""Cross-cutting records of the portal: staff accounts' security state."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.privacy import DigestField, EncryptedChar


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

    class Meta:
        verbose_name = _("账号安全信息")
        verbose_name_plural = _("账号安全信息")

    def __str__(self):
        return str(self.user)

    def password_expired(self, *, max_age_days: int, now=None) -> bool:
        """True when the password is older than ``max_age_days`` (等保 assessors expect 90)."""
        since = self.password_changed_at or self.user.date_joined
        return (now or timezone.now()) - since > timezone.timedelta(days=max_age_days)
