from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cadres.models import BranchMembership, Cadre, PartyBranch
from communities.admin_base import ScopedHistoryAdmin, StreetFilter


class LivingFilter(admin.SimpleListFilter):
    title = _("在世状态")
    parameter_name = "living"

    def lookups(self, request, model_admin):
        return [("yes", _("在世")), ("no", _("已去世"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.living()
        if self.value() == "no":
            return queryset.filter(deceased_on__isnull=False)
        return queryset


class MembershipInline(admin.TabularInline):
    model = BranchMembership
    extra = 0
    autocomplete_fields = ["branch"]
    fields = ["branch", "relation", "joined_on", "left_on"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("branch")


@admin.register(Cadre)
class CadreAdmin(ScopedHistoryAdmin):
    list_display = ["name", "gender", "birth_date", "community", "retirement_kind", "is_party_member", "deceased_on"]
    list_filter = [
        StreetFilter,
        LivingFilter,
        "gender",
        "retirement_kind",
        "is_party_member",
        "membership_in_community",
    ]
    list_select_related = ["community"]
    search_fields = ["name", "=id_number", "name_initials", "name_pinyin", "phone"]
    autocomplete_fields = ["community"]
    inlines = [MembershipInline]
    fieldsets = [
        (
            _("基本信息"),
            {"fields": ["name", "gender", "birth_date", "id_number", "ethnicity", "phone", "community", "address"]},
        ),
        (
            _("离退休信息"),
            {"fields": ["retirement_kind", "retired_on", "former_employer", "former_position", "managing_unit"]},
        ),
        (_("党员信息"), {"fields": ["is_party_member", "joined_party_on", "membership_in_community"]}),
        (
            _("生活情况"),
            {"fields": ["health", "living_situation", "hobbies", "specialties", "lives_away", "away_place"]},
        ),
        (
            _("紧急联系人"),
            {"fields": ["emergency_contact_name", "emergency_contact_relation", "emergency_contact_phone"]},
        ),
        (_("其他"), {"fields": ["deceased_on", "notes"]}),
    ]

    def save_model(self, request, obj, form, change):
        obj.refresh_search_keys()
        super().save_model(request, obj, form, change)


class BranchMemberInline(admin.TabularInline):
    """A branch's members, read-only here (one query whatever the size); edited as 支部成员."""

    model = BranchMembership
    extra = 0
    can_delete = False
    fields = ["cadre_name", "relation", "joined_on", "left_on"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # the row's title shows "cadre @ branch": fetch both with the rows
        return super().get_queryset(request).select_related("cadre", "branch")

    @admin.display(description=_("姓名"))
    def cadre_name(self, membership):
        return membership.cadre.name


@admin.register(PartyBranch)
class PartyBranchAdmin(ScopedHistoryAdmin):
    list_display = ["name", "community", "kind", "unit", "star_rating", "venue"]
    list_filter = [StreetFilter, "kind", "unit", "star_rating"]
    list_select_related = ["community", "venue", "venue__community"]
    search_fields = ["name", "community__name"]
    autocomplete_fields = ["community", "venue", "secretary"]
    inlines = [BranchMemberInline]


class BranchStreetFilter(StreetFilter):
    street_path = "branch__community__street"


@admin.register(BranchMembership)
class BranchMembershipAdmin(ScopedHistoryAdmin):
    list_display = ["cadre", "branch", "relation", "joined_on", "left_on"]
    list_filter = [BranchStreetFilter, "relation"]
    list_select_related = ["cadre", "branch"]
    search_fields = ["cadre__name", "branch__name"]
    autocomplete_fields = ["cadre", "branch"]
