"""The room's screen (大屏): a display grant, so the screen facing the room never carries a worker's session."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScreenGrant(models.Model):
    """One activity's screen, opened on the room's PC from a link the liaison issues.

    Only a hash of the link's secret is kept: the link is shown once, to the liaison who issued it. A grant
    shows the activity's QR, its count and the time, nothing else; it ends with the activity's sign-in
    window, or when the liaison takes it back.
    """

    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.CASCADE, related_name="screen_grants", verbose_name=_("活动")
    )
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发放人")
    )
    issued_at = models.DateTimeField(_("发放时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("失效时间"))
    revoked_at = models.DateTimeField(_("收回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("大屏授权")
        verbose_name_plural = _("大屏授权")
        ordering = ["-issued_at"]
        indexes = [models.Index(fields=["activity", "expires_at"])]

    def __str__(self):
        return f"{self.activity} · {self.issued_at:%Y-%m-%d %H:%M}"
