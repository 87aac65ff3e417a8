"""The admin of accounts (the system administrator's) and of ledgers (the bureau's)."""

from allauth.account.models import EmailAddress
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from communities.models import AuditEvent, Role, StaffScope
from core.admin_base import ReadOnlyAdminMixin, ScopedAdmin, StrictLookupsMixin
from core.audit import record_event
from core.dates import parse_month, previous_month
from portal import ledger_runs
from portal.accounts import (
    ROLE_NAMES,
    account_snapshot,
    record_account_change,
    record_password_reset,
    refuse_self_change,
    staff_flag_for,
    unlock_account,
)
from portal.models import CompletenessRule, LedgerReport, LedgerRun, LedgerRunUnit, StaffProfile
from portal.tasks import build_month_ledgers, resume_ledger_run

User = get_user_model()


ROLE_GROUPS = Group.objects.filter(name__in=ROLE_NAMES).order_by("name")


class RoleChoiceField(forms.ModelMultipleChoiceField):
    """The role groups, named as the design names the roles (系统管理员, 区局管理员…)."""

    def label_from_instance(self, group):
        return f"{Role(group.name).label}（{group.name}）"


class _OneRole:
    """An account holds one role: the three administrators never overlap (三员分立)."""

    def clean_groups(self):
        groups = self.cleaned_data.get("groups")
        if groups is not None and len(groups) > 1:
            raise forms.ValidationError(_("一个账号只能有一个角色（三员分立）。"))
        return groups


class AccountChangeForm(_OneRole, UserChangeForm):
    pass


class AccountCreationForm(_OneRole, AdminUserCreationForm):
    groups = RoleChoiceField(queryset=ROLE_GROUPS, required=False, widget=forms.CheckboxSelectMultiple, label=_("角色"))

    def _save_m2m(self):
        super()._save_m2m()
        self.instance.groups.set(self.cleaned_data.get("groups") or [])


class _NotOnOwnAccount:
    """Scope and security rows of one's own account are shown, never changed by oneself."""

    def has_add_permission(self, request, obj=None):
        return (obj is None or obj.pk != request.user.pk) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.pk != request.user.pk) and super().has_change_permission(request, obj)


class StaffScopeInline(_NotOnOwnAccount, admin.StackedInline):
    model = StaffScope
    can_delete = False
    autocomplete_fields = ["street", "community"]
    verbose_name_plural = _("工作范围")


class StaffProfileInline(_NotOnOwnAccount, admin.StackedInline):
    model = StaffProfile
    can_delete = False
    fields = ["mobile", "must_change_password", "password_changed_at"]
    readonly_fields = ["password_changed_at"]
    verbose_name_plural = _("账号安全信息")


admin.site.unregister(User)
admin.site.unregister(Group)  # roles are defined in communities/roles.py, not edited on a screen
# the portal logs in by username or mobile number; allauth's e-mail addresses are not used
admin.site.unregister(EmailAddress)


@admin.register(User)
class PortalUserAdmin(StrictLookupsMixin, UserAdmin):
    """Accounts, kept by the system administrator: one role each, a scope, never superuser, never oneself."""

    form = AccountChangeForm
    add_form = AccountCreationForm
    inlines = [StaffScopeInline, StaffProfileInline]
    list_display = ["username", "first_name", "is_active", "roles", "last_login"]
    list_filter = ["is_active", "groups"]
    search_fields = ["username", "first_name", "last_name"]
    filter_horizontal = []
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("个人信息"), {"fields": ["first_name", "last_name"]}),
        (_("角色与状态"), {"fields": ["groups", "is_active"]}),
        (_("时间"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["username", "password1", "password2", "groups"]})]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["unlock"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            fields += ["groups", "is_active"]
        return fields

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = ROLE_GROUPS
            kwargs["widget"] = forms.CheckboxSelectMultiple
            kwargs["form_class"] = RoleChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # an account that should stop working is made inactive; its audit trail stays

    @admin.display(description=_("角色"))
    def roles(self, user):
        return "、".join(str(Role(group.name).label) for group in user.groups.all() if group.name in ROLE_NAMES)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id and request.method == "POST":
            user = self.get_object(request, unquote(object_id))
            if user is not None:
                request._account_before = account_snapshot(user)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        obj.is_superuser = obj.is_superuser if change else False  # never granted from a screen
        super().save_model(request, obj, form, change)

    @transaction.atomic
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        roles = list(user.groups.values_list("name", flat=True))
        if user.is_staff != staff_flag_for(roles):
            user.is_staff = staff_flag_for(roles)
            user.save(update_fields=["is_staff"])
        if not change:
            # an account made by an administrator must choose its own password at first login
            StaffProfile.objects.update_or_create(user=user, defaults={"must_change_password": True})
        before = getattr(request, "_account_before", None) if change else None
        if before is not None:
            refuse_self_change(by=request.user, user=user, before=before, after=account_snapshot(user))
        record_account_change(request=request, user=user, before=before)

    def user_change_password(self, request, id, form_url=""):
        if str(request.user.pk) == str(id):
            raise PermissionDenied  # one's own password is changed on the account page, with the old one
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            # a password set by an administrator is a temporary one
            user = User.objects.get(pk=id)
            StaffProfile.objects.update_or_create(user=user, defaults={"must_change_password": True})
            record_password_reset(request=request, user=user)
        return response

    @admin.action(description=_("解除登录锁定"), permissions=["change"])
    def unlock(self, request, queryset):
        for user in queryset:
            unlock_account(request=request, user=user)
        messages.success(request, _("已解除%(count)d个账号的登录锁定。") % {"count": len(queryset)})

    def history_view(self, request, object_id, extra_context=None):
        """The account's history is its audit events: who changed its roles, scope, password and when."""
        user = self.get_object(request, unquote(object_id))
        if user is None:
            raise Http404
        if not (request.user.has_perm("communities.read_audit_trail") or self.has_change_permission(request, user)):
            raise PermissionDenied
        events = AuditEvent.objects.filter(target=user.get_username()).order_by("-at")[:200]
        record_event(
            kind=AuditEvent.Kind.SENSITIVE_VIEW, request=request, what="account_history", target=user.get_username()
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("账号变更记录：%s") % user,
            "events": events,
            "account": user,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/auth/user/account_history.html", context)


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
        month = asked or previous_month(timezone.localdate())
        form = BuildLedgersForm(request.POST or None, initial={"month": f"{month:%Y-%m}"})
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
