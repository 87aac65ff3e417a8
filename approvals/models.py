"""A community's month on its way up, and the months whose records changed after their ledger was built.

The tables keep their first names (``communities_monthapproval``…): the models moved here by a state-only
migration, rows untouched.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from communities.models import Community
from core import dates
from core.scope import ScopedQuerySet


class State(models.TextChoices):
    OPEN = "open", _("未提交")
    SUBMITTED = "submitted", _("待街道审核")
    APPROVED = "approved", _("待区审定")
    ACCEPTED = "accepted", _("区已审定")
    CONFIRMED = "confirmed", _("市已确认")


class MonthApprovalQuerySet(ScopedQuerySet):
    community_path = "community"


class MonthApproval(models.Model):
    """A community's month on its way up (DHIS2's data approval: one data set, period and organisation unit).

    Submitted by the community, approved by the street, accepted by the district (then confirmed by the city
    where the installation holds several districts); any level may return it with a reason, which reopens it.
    From submission the month's records are frozen until it is returned or unlocked (``approvals.rules``).
    """

    State = State

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="approvals", verbose_name=_("社区"))
    month = models.DateField(_("月份"), validators=[dates.done], help_text=_("当月1日。"))
    state = models.CharField(_("状态"), max_length=10, choices=State, default=State.OPEN)
    explanations = models.JSONField(_("未通过检查的说明"), default=dict, blank=True)
    returned_reason = models.CharField(_("退回原因"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    # the first submission decides whether the month was reported on time (a return does not reset it)
    first_submitted_at = models.DateTimeField(_("首次提交时间"), null=True, blank=True)
    # the community's figures as they stood when the district accepted the month (the top layer's figures)
    figures = models.JSONField(_("审定时的数据"), default=dict, blank=True)
    accepted_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    # figures that differ from an earlier acceptance, after an unlock: what, from, to, who unlocked and when
    changes = models.JSONField(_("审定后的修改"), default=list, blank=True)
    # the street's own words when it approved a month whose failing checks the community had not explained
    approver_reason = models.CharField(_("审核意见"), max_length=300, blank=True)
    changed_at = models.DateTimeField(_("最近变更"), auto_now=True)

    objects = MonthApprovalQuerySet.as_manager()

    class Meta:
        db_table = "communities_monthapproval"
        verbose_name = _("月度审核")
        verbose_name_plural = _("月度审核")
        ordering = ["-month", "community_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "month"],
                name="approval_one_per_community_month",
                violation_error_message=_("该社区该月已有审核记录。"),
            ),
            models.CheckConstraint(
                condition=models.Q(month__day=1),
                name="approval_month_first_day",
                violation_error_message=_("月份应为当月1日。"),
            ),
        ]

    def __str__(self):
        return f"{self.community} {self.month:%Y-%m} {self.get_state_display()}"

    @property
    def is_locked(self) -> bool:
        from approvals.rules import LOCKED_STATES

        return self.state in LOCKED_STATES

    @property
    def is_frozen(self) -> bool:
        from approvals.rules import FROZEN_STATES

        return self.state in FROZEN_STATES


class ApprovalStep(models.Model):
    """One step of a month's approval: who moved it from which state to which, when, and why."""

    approval = models.ForeignKey(MonthApproval, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("操作"), max_length=20)
    from_state = models.CharField(_("原状态"), max_length=10, choices=State)
    to_state = models.CharField(_("新状态"), max_length=10, choices=State)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    reason = models.CharField(_("原因"), max_length=300, blank=True)

    class Meta:
        db_table = "communities_approvalstep"
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")
        ordering = ["approval_id", "at", "pk"]

    def __str__(self):
        return f"{self.approval} {self.action}"


class MonthChange(models.Model):
    """A closed month whose records changed (a late sync, a correction) since its ledger was built.

    Written by the lock in the write's own transaction; the ledger jobs rebuild the month and clear it. While a
    month is marked, the dashboards count it live instead of reading its stored ledger.
    """

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+", verbose_name=_("社区"))
    month = models.DateField(_("月份"))
    changed_at = models.DateTimeField(_("修改时间"))

    objects = MonthApprovalQuerySet.as_manager()

    class Meta:
        verbose_name = _("待重算台账")
        verbose_name_plural = _("待重算台账")
        constraints = [
            models.UniqueConstraint(fields=["community", "month"], name="month_change_one_per_community_month"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="month_change_first_day"),
        ]
        indexes = [
            # the dashboards ask "is any month of this scope marked", by month
            models.Index(fields=["month"], name="month_change_month_idx"),
        ]

    def __str__(self):
        return f"{self.community} {self.month:%Y-%m}"
