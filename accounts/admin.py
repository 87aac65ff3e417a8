"""The admin of accounts: the system administrator's, one role each, a scope, never oneself."""

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
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, StaffProfile, StaffScope
from accounts.services import (
    ROLE_NAMES,
    account_snapshot,
    record_account_change,
    record_password_reset,
    refuse_self_change,
    staff_flag_for,
    unlock_account,
)
from communities.models import AuditEvent
from core.admin_base import ReadOnlyAdminMixin, StrictLookupsMixin
from core.audit import record_event

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
admin.site.unregister(Group)  # roles are defined in accounts/roles.py, not edited on a screen
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


@admin.register(StaffScope)
class StaffScopeAdmin(ReadOnlyAdminMixin, StrictLookupsMixin, admin.ModelAdmin):
    """Every account's scope at a glance; a scope is set on the account's page, where it is audited."""

    list_display = ["user", "level", "district", "street", "community", "unit"]
    list_filter = ["level"]
    list_select_related = ["user", "district", "street", "community", "unit"]
    search_fields = ["user__username", "community__name", "street__name"]
    autocomplete_fields = ["user", "street", "community"]
