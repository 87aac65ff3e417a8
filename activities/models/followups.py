"""送学上门: a member who missed the branch's monthly activity, reached afterwards by the liaison."""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from activities.models.core import Activity
from cadres.models import Cadre
from core import dates
from core.scope import ScopedQuerySet


class FollowUpQuerySet(ScopedQuerySet):
    # a follow-up is the branch's organisation's, not the room's (activities.absences): a host community that
    # lent its room sees none of a guest branch's; a unit's staff see their branches'
    community_path = "activity__organiser_branch__community"
    unit_paths = ("activity__organiser_branch__owner",)


class FollowUp(models.Model):
    """How a member who was not at a branch activity got its content afterwards: at home, by phone, online.

    Only a follow-up that was done is recorded; the absences still to follow up are the branch's members
    without a sign-in and without one of these (``activities.absences``).
    """

    class How(models.TextChoices):
        AT_HOME = "home", _("送学上门")
        PHONE = "phone", _("电话传达")
        ONLINE = "online", _("线上学习")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("活动"))
    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("党员"))
    how = models.CharField(_("方式"), max_length=10, choices=How)
    done_on = models.DateField(_("跟进日期"), validators=[dates.done])
    note = models.CharField(_("情况"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("送学上门记录")
        verbose_name_plural = _("送学上门记录")
        ordering = ["-done_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "cadre"],
                name="follow_up_once_per_absence",
                violation_error_message=_("这次缺席已经跟进过了。"),
            ),
        ]

    def __str__(self):
        return f"{self.cadre} · {self.activity}"

    def month_key(self) -> tuple[int | None, datetime.date | None]:
        """The community and day whose month this record counts in (the month lock's key): the branch's
        community, which counts its absences and follow-ups, not the room's that lent it for the day."""
        if not self.activity_id:
            return (None, None)
        activity = self.activity
        branch = activity.organiser_branch
        return (branch.community_id if branch else activity.community_id), dates.local_day(activity.starts_at)
