"""Accounts in the admin: bureau staff create accounts and set their role and scope."""

from allauth.account.models import EmailAddress
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from activities.selectors import parse_month
from communities.admin_base import ReadOnlyAdminMixin, ScopedAdmin
from communities.models import StaffScope
from portal.ledgers import last_month
from portal.models import CompletenessRule, LedgerReport, LedgerRun, StaffProfile
from portal.tasks import build_month_ledgers

User = get_user_model()


class StaffScopeInline(admin.StackedInline):
    model = StaffScope
    can_delete = False
    autocomplete_fields = ["street", "community"]
    verbose_name_plural = _("工作范围")


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    fields = ["mobile", "must_change_password", "password_changed_at"]
    readonly_fields = ["password_changed_at"]
    verbose_name_plural = _("账号安全信息")


admin.site.unregister(User)
# the portal logs in by username or mobile number; allauth's e-mail addresses are not used
admin.site.unregister(EmailAddress)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [StaffScopeInline, StaffProfileInline]
    list_display = ["username", "first_name", "is_active", "is_staff", "roles", "last_login"]
    list_filter = ["is_active", "is_staff", "groups"]
    search_fields = ["username", "first_name", "last_name"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("角色"))
    def roles(self, user):
        return "、".join(group.name for group in user.groups.all())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            # an account made by the bureau must choose its own password at first login
            StaffProfile.objects.update_or_create(user=form.instance, defaults={"must_change_password": True})

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            # a password set by an administrator is a temporary one
            StaffProfile.objects.update_or_create(user_id=id, defaults={"must_change_password": True})
        return response


# --- ledgers (台账) ---------------------------------------------------------------------------------


@admin.register(LedgerReport)
class LedgerReportAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    """Ledgers are built by the monthly job (or 生成台账), never typed in; each row links to its workbook."""

    list_display = ["__str__", "kind", "level", "period_start", "built_at", "run", "download"]
    list_filter = ["kind", "level"]
    list_select_related = ["street", "community", "run"]
    search_fields = ["community__name", "street__name"]
    fields = ["kind", "level", "street", "community", "period_start", "built_at", "run", "download", "figures",
              "checks"]  # fmt: skip
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
class LedgerRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Each build of ledgers leaves a run: when, what it built, what failed. The bureau can rebuild a month."""

    list_display = ["period_start", "kind", "trigger", "status", "scopes_built", "scopes_expected", "failure_count",
                    "started_at", "finished_at", "triggered_by"]  # fmt: skip
    list_filter = ["kind", "trigger", "status"]
    list_select_related = ["triggered_by"]
    readonly_fields = ["kind", "period_start", "trigger", "triggered_by", "status", "started_at", "finished_at",
                       "scopes_expected", "scopes_built", "failures"]  # fmt: skip
    change_list_template = "admin/portal/ledgerrun/change_list.html"

    @admin.display(description=_("失败数"))
    def failure_count(self, run):
        return len(run.failures)

    def get_urls(self):
        build = path("build/", self.admin_site.admin_view(self.build_view), name="portal_ledgerrun_build")
        return [build, *super().get_urls()]

    def build_view(self, request):
        """生成台账: queue a month's ledgers for every community, street and the district (after this commits)."""
        if not request.user.has_perm("portal.add_ledgerreport"):
            raise PermissionDenied
        form = BuildLedgersForm(request.POST or None, initial={"month": f"{last_month(timezone.localdate()):%Y-%m}"})
        if request.method == "POST" and form.is_valid():
            month = form.cleaned_data["month"]
            build_month_ledgers.delay_on_commit(f"{month:%Y-%m-%d}", LedgerRun.Trigger.ADMIN, request.user.pk)
            messages.success(
                request, _("已开始生成%(month)s的台账，完成后可在本页查看。") % {"month": f"{month:%Y-%m}"}
            )
            return redirect("admin:portal_ledgerrun_changelist")
        context = {**self.admin_site.each_context(request), "form": form, "title": _("生成台账"),
                   "opts": self.model._meta}  # fmt: skip
        return TemplateResponse(request, "admin/portal/ledgerrun/build.html", context)


@admin.register(CompletenessRule)
class CompletenessRuleAdmin(admin.ModelAdmin):
    """The checks each community ledger ends with: the bureau turns them on or off and sets the standard."""

    list_display = ["code", "is_active", "threshold"]
    list_editable = ["is_active", "threshold"]
    fields = ["code", "is_active", "threshold"]
    readonly_fields = ["code"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
