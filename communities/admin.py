from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from communities.models import AuditEvent, Community, District, Street, Venue
from core.admin_base import ReadOnlyAdminMixin, ScopedAdmin, StreetFilter, StrictLookupsMixin
from core.scope import scope_of


@admin.register(District)
class DistrictAdmin(ScopedAdmin):
    """The districts: a district's bureau names its own; only the city adds or removes one."""

    list_display = ["name", "code"]
    search_fields = ["name", "code"]

    def has_add_permission(self, request):
        return scope_of(request.user).is_city and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return scope_of(request.user).is_city and super().has_delete_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return scope_of(request.user).is_wide and super().has_change_permission(request, obj)


@admin.register(Street)
class StreetAdmin(ScopedAdmin):
    list_display = ["name", "code", "district"]
    list_select_related = ["district"]
    search_fields = ["name", "code"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "district":
            kwargs["queryset"] = District.objects.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CommunityStreetFilter(StreetFilter):
    street_path = "street"  # a community names its street itself


@admin.register(Community)
class CommunityAdmin(ScopedAdmin):
    list_display = ["name", "code", "street", "kind", "is_pilot"]
    list_filter = [CommunityStreetFilter, "kind", "is_pilot"]
    list_select_related = ["street"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["street"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "street":
            kwargs["queryset"] = Street.objects.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SixHavesFilter(admin.SimpleListFilter):
    title = _("六有达标")
    parameter_name = "six_haves"

    def lookups(self, request, model_admin):
        return [("yes", _("达标")), ("no", _("未达标"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.meeting_six_haves()
        if self.value() == "no":
            return queryset.exclude(pk__in=queryset.meeting_six_haves().values("pk"))
        return queryset


@admin.register(Venue)
class VenueAdmin(ScopedAdmin):
    list_display = ["name", "community", "kind", "capacity", "six_haves_display", "is_active"]
    list_filter = [StreetFilter, "kind", SixHavesFilter, "is_active"]
    list_select_related = ["community"]
    search_fields = ["name", "community__name", "coordinator_name"]
    autocomplete_fields = ["community"]
    fieldsets = [
        (None, {"fields": ["community", "name", "kind", "capacity", "address", "is_active"]}),
        (_("负责人"), {"fields": ["coordinator_name", "coordinator_phone"]}),
        (_("六有"), {"fields": list(Venue.SIX_HAVES)}),
    ]

    @admin.display(description=_("六有"))
    def six_haves_display(self, venue):
        return f"{venue.six_haves_count}/6"


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, StrictLookupsMixin, admin.ModelAdmin):
    """The audit screen: read-only, for holders of read_audit_trail (the auditor group)."""

    list_display = ["at", "kind", "username", "target", "ip_address", "rows", "user_agent"]
    list_filter = ["kind"]
    search_fields = ["=username", "=target", "=ip_address"]
    date_hierarchy = "at"
    show_full_result_count = False
    readonly_fields = ["at", "kind", "user", "username", "target", "ip_address", "user_agent", "rows", "detail"]

    def has_module_permission(self, request):
        return request.user.has_perm("communities.read_audit_trail")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("communities.read_audit_trail")
