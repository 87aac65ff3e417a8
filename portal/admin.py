"""The admin of ledgers (the bureau's): reports, their runs and the completeness rules."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from approvals.rules import last_closed_month
from core.admin_base import ReadOnlyAdminMixin, ScopedAdmin, StrictLookupsMixin
from core.dates import parse_month
from core.forms import posted
from portal import ledger_runs
from portal.models import CompletenessRule, LedgerReport, LedgerRun, LedgerRunUnit, ReportingSettings, ScoreCriterion
from portal.tasks import build_month_ledgers, resume_ledger_run

# --- ledgers (台账) ---------------------------------------------------------------------------------


@admin.register(LedgerReport)
class LedgerReportAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    """Ledgers are built by the monthly job (or 生成台账), never typed in; each row links to its workbook."""

    list_display = ["__str__", "kind", "level", "period_start", "built_at", "run", "download"]
    list_filter = ["kind", "level"]
    list_select_related = ["street", "community", "run"]
    search_fields = ["community__name", "street__name"]
    fields = [
        "kind",
        "level",
        "street",
        "community",
        "period_start",
        "built_at",
        "run",
        "download",
        "figures",
        "checks",
    ]
    readonly_fields = fields  # a month is rebuilt (生成台账), which replaces its ledgers; none is edited by hand

    @admin.display(description=_("文件"))
    def download(self, report):
        return format_html('<a href="{}">{}</a>', reverse("ledger_download", args=[report.pk]), _("下载"))


class BuildLedgersForm(forms.Form):
    month = forms.CharField(label=_("月份"), widget=forms.TextInput(attrs={"type": "month"}))

    def clean_month(self):
        month = parse_month(self.cleaned_data["month"])
        if month is None:
            raise forms.ValidationError(_("月份应写作 YYYY-MM。"))
        if month > timezone.localdate():
            raise forms.ValidationError(_("不能生成将来月份的台账。"))
        return month


@admin.register(LedgerRun)
class LedgerRunAdmin(ReadOnlyAdminMixin, StrictLookupsMixin, admin.ModelAdmin):
    """Each build of ledgers leaves a run: when, what it built, what failed and why. The bureau rebuilds a
    month (生成台账) or resumes a failed run (续跑: only its failed scopes are built again)."""

    list_display = [
        "period_start",
        "kind",
        "trigger",
        "status",
        "scopes_built",
        "scopes_expected",
        "failure_count",
        "reason",
        "started_at",
        "finished_at",
        "triggered_by",
    ]
    list_filter = ["kind", "trigger", "status"]
    list_select_related = ["triggered_by"]
    readonly_fields = [
        "kind",
        "period_start",
        "trigger",
        "triggered_by",
        "status",
        "reason",
        "started_at",
        "progress_at",
        "finished_at",
        "scopes_expected",
        "scopes_built",
        "unit_counts",
        "resumed",
        "failures",
    ]
    change_list_template = "admin/portal/ledgerrun/change_list.html"
    actions = ["resume_runs"]

    @admin.display(description=_("失败数"))
    def failure_count(self, run):
        return len(run.failures)

    @admin.display(description=_("各状态范围数"))
    def unit_counts(self, run):
        counts = dict(run.units.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
        return "；".join(f"{label}{counts[value]}" for value, label in LedgerRunUnit.Status.choices if value in counts)

    def has_rebuild_permission(self, request):
        return request.user.has_perm("portal.add_ledgerreport")

    @admin.action(description=_("续跑：只补建失败的范围"), permissions=["rebuild"])
    def resume_runs(self, request, queryset):
        stopped = [LedgerRun.Status.FAILED, LedgerRun.Status.PARTIAL]
        resumable = list(queryset.filter(status__in=stopped))
        for run in resumable:
            resume_ledger_run.delay_on_commit(run.pk)
        if resumable:
            messages.success(request, _("已开始续跑%(count)d个生成批次。") % {"count": len(resumable)})
        if len(resumable) < queryset.count():
            messages.warning(request, _("只有“失败”或“部分失败”的批次可以续跑，其余未处理。"))

    def changelist_view(self, request, extra_context=None):
        extra = {"ledger_problems": ledger_runs.problems(), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def get_urls(self):
        build = path("build/", self.admin_site.admin_view(self.build_view), name="portal_ledgerrun_build")
        return [build, *super().get_urls()]

    def build_view(self, request):
        """生成台账: a month's ledgers for every community, street and the district (after this commits).

        A month being built already is not started twice; a month whose last run failed is resumed (only
        what is missing is built); otherwise the month is rebuilt, replacing its ledgers.
        """
        if not self.has_rebuild_permission(request):
            raise PermissionDenied
        asked = parse_month(request.GET.get("month"))  # 台账文件缺失 links here with its month
        month = asked or last_closed_month(timezone.localdate())
        form = BuildLedgersForm(posted(request), initial={"month": f"{month:%Y-%m}"})
        if request.method == "POST" and form.is_valid():
            month = form.cleaned_data["month"]
            label = {"month": f"{month:%Y-%m}"}
            latest = LedgerRun.objects.filter(kind="month", period_start=month).order_by("-started_at").first()
            if latest is not None and latest.status == LedgerRun.Status.RUNNING:
                progress = {**label, "built": latest.scopes_built, "expected": latest.scopes_expected}
                messages.warning(
                    request, _("%(month)s的台账正在生成（已完成%(built)d/%(expected)d），不会重复生成。") % progress
                )
            elif latest is not None and latest.status in (LedgerRun.Status.FAILED, LedgerRun.Status.PARTIAL):
                resume_ledger_run.delay_on_commit(latest.pk)
                messages.success(request, _("%(month)s上次生成未完成，已开始续跑：只补建没有生成的台账。") % label)
            else:
                build_month_ledgers.delay_on_commit(f"{month:%Y-%m-%d}", LedgerRun.Trigger.ADMIN, request.user.pk)
                messages.success(request, _("已开始生成%(month)s的台账，完成后可在本页查看。") % label)
            return redirect("admin:portal_ledgerrun_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": _("生成台账"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/portal/ledgerrun/build.html", context)


@admin.register(CompletenessRule)
class CompletenessRuleAdmin(StrictLookupsMixin, admin.ModelAdmin):
    """The checks each community ledger ends with: the bureau turns them on or off and sets the standard."""

    list_display = ["code", "is_active", "threshold"]
    list_editable = ["is_active", "threshold"]
    fields = ["code", "is_active", "threshold"]
    readonly_fields = ["code"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportingSettings)
class ReportingSettingsAdmin(StrictLookupsMixin, admin.ModelAdmin):
    """One row: the reporting deadline (on time = submitted by this day of the next month) and the pilot lines."""

    list_display = ["__str__", "deadline_day", "pilot_score", "star_thresholds"]
    fields = ["deadline_day", "pilot_score", "star_thresholds"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScoreCriterion)
class ScoreCriterionAdmin(StrictLookupsMixin, admin.ModelAdmin):
    """The pilot scorecard's criteria: the bureau sets each one's weight and full-marks target, or turns it off."""

    list_display = ["measure", "is_active", "weight", "target"]
    list_editable = ["is_active", "weight", "target"]
    fields = ["measure", "is_active", "weight", "target"]
    readonly_fields = ["measure"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
