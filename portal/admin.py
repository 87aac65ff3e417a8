"""Accounts in the admin: bureau staff create accounts and set their role and scope."""

from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from communities.models import StaffScope
from portal.models import StaffProfile

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
