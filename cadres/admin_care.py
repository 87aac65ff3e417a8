"""Admin of groups and talents, care cases, visits, campaigns and leader links."""

from django.contrib import admin
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.admin import MonthRecordAdmin
from cadres.models import CareCase, Group, GroupMembership, LeaderLink, Talent, Visit, VisitCampaign
from cadres.models.care import CARE_REASONS
from cadres.selectors import campaign_progress
from cadres.services import change_visit, record_visit
from core.admin_base import (
    EditableTabularInline,
    ReadOnlyTabularInline,
    ScopedAdmin,
    ScopedHistoryAdmin,
    StreetFilter,
    rows_counted,
)
from core.privacy import can_see_health
from core.scope import scope_of


class CadreStreetFilter(StreetFilter):
    street_path = "cadre__community__street"


class GroupMemberInline(EditableTabularInline):
    model = GroupMembership
    extra = 0
    autocomplete_fields = ["cadre"]
    fields = ["cadre", "role", "joined_on"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("cadre", "group")


@admin.register(Group)
class GroupAdmin(ScopedHistoryAdmin):
    list_display = ["name", "kind", "specialty", "category", "community", "leader", "member_count", "is_active"]
    list_filter = [StreetFilter, "kind", "category", "is_active"]
    list_select_related = ["community", "leader"]
    search_fields = ["name", "specialty", "community__name"]
    autocomplete_fields = ["community", "leader", "venue"]
    inlines = [GroupMemberInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_total=rows_counted(GroupMembership, "group"))

    @admin.display(description=_("人数"))  # not sortable: sorting by it would count every group
    def member_count(self, group):
        return group.member_total


@admin.register(Talent)
class TalentAdmin(ScopedHistoryAdmin):
    list_display = ["cadre", "community", "category", "specialty", "is_available", "registered_on"]
    list_filter = [CadreStreetFilter, "category", "is_available"]
    list_select_related = ["cadre", "cadre__community"]
    # the pool is searched by category (filter) and by word (specialty, service offered, name, initials)
    search_fields = ["specialty", "description", "cadre__name", "cadre__name_initials"]
    autocomplete_fields = ["cadre"]

    @admin.display(description=_("社区"), ordering="cadre__community__name")
    def community(self, talent):
        return talent.cadre.community


class OpenFilter(admin.SimpleListFilter):
    title = _("状态")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("帮扶中")), ("overdue", _("逾期未走访")), ("no", _("已结案"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.open_on(today)
        if self.value() == "overdue":
            return queryset.filter(pk__in=CareCase.objects.overdue(today).values("pk"))
        if self.value() == "no":
            return queryset.filter(closed_on__isnull=False)
        return queryset


class CareVisitInline(ReadOnlyTabularInline):
    model = Visit
    fields = ["visited_on", "kind", "visitors"]
    related = ("cadre",)
    ordering = ["-visited_on"]


REASON_FIELDS = [field for field, _label in CARE_REASONS]


@admin.register(CareCase)
class CareCaseAdmin(ScopedHistoryAdmin):
    """Care cases; reasons and notes are health details: the bureau and the cadre's own worker only."""

    list_display = [
        "cadre",
        "community",
        "reasons",
        "visit_interval_days",
        "responsible",
        "last_visit",
        "opened_on",
        "closed_on",
    ]
    list_filter = [OpenFilter, CadreStreetFilter, "visit_interval_days"]
    list_select_related = ["cadre", "cadre__community"]
    search_fields = ["cadre__name", "cadre__name_initials", "responsible"]
    autocomplete_fields = ["cadre"]
    inlines = [CareVisitInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(last_visit_on=Max("visits__visited_on"))

    def get_fields(self, request, obj=None):
        fields = [
            "cadre",
            *REASON_FIELDS,
            "visit_interval_days",
            "responsible",
            "responsible_phone",
            "opened_on",
            "closed_on",
            "close_reason",
            "notes",
        ]
        if not can_see_health(request.user):
            fields = [f for f in fields if f not in REASON_FIELDS and f not in ("notes", "close_reason")]
        return fields

    def has_add_permission(self, request):
        # a case is opened for its reasons, which are health data: whoever may not see them cannot open one
        return can_see_health(request.user) and super().has_add_permission(request)

    @admin.display(description=_("社区"), ordering="cadre__community__name")
    def community(self, case):
        return case.cadre.community

    def get_list_display(self, request):
        if can_see_health(request.user):
            return self.list_display
        return [field for field in self.list_display if field != "reasons"]

    @admin.display(description=_("帮扶原因"))
    def reasons(self, case):
        return case.reasons_display

    @admin.display(description=_("最近走访"), ordering="last_visit_on")
    def last_visit(self, case):
        return case.last_visit_on or "—"


@admin.register(Visit)
class VisitAdmin(MonthRecordAdmin, ScopedHistoryAdmin):
    list_display = ["visited_on", "cadre", "community", "kind", "visitors", "campaign"]
    list_filter = [CadreStreetFilter, "kind", "campaign"]
    linked_lookups = ("care_case__id__exact",)  # the care case page's "查看全部"
    list_select_related = ["cadre", "cadre__community", "campaign"]
    search_fields = ["cadre__name", "cadre__name_initials", "visitors"]
    autocomplete_fields = ["cadre", "campaign"]
    readonly_fields = ["care_case", "recorded_by", "created_at"]

    def get_fields(self, request, obj=None):
        fields = ["cadre", "kind", "visited_on", "visitors", "campaign", "summary", *self.readonly_fields]
        return fields if can_see_health(request.user) else [f for f in fields if f != "summary"]

    @admin.display(description=_("社区"), ordering="cadre__community__name")
    def community(self, visit):
        return visit.cadre.community

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            if change:
                change_visit(visit=obj)
                return
            saved = record_visit(
                cadre=obj.cadre,
                visited_on=obj.visited_on,
                visitors=obj.visitors,
                kind=obj.kind,
                summary=obj.summary or "",
                campaign=obj.campaign,
                by=request.user,
            )
            obj.__dict__.update(saved.__dict__)  # the admin's log and redirect go on with the saved row


@admin.register(VisitCampaign)
class VisitCampaignAdmin(ScopedAdmin):
    """District-wide visiting rounds (e.g. Spring Festival 慰问), set by the bureau; progress per community."""

    list_display = ["name", "starts_on", "ends_on", "min_age", "include_care_cases"]
    search_fields = ["name"]
    change_form_template = "admin/cadres/visitcampaign/change_form.html"

    def _district(self, request):
        return scope_of(request.user).is_wide

    def has_add_permission(self, request):
        return self._district(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._district(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        campaign = self.get_object(request, object_id)
        if campaign is not None:
            rows = campaign_progress(campaign, scope=scope_of(request.user))
            extra_context = {
                **(extra_context or {}),
                "progress_rows": rows,
                "progress_total": sum(row["total"] for row in rows),
                "progress_done": sum(row["done"] for row in rows),
            }
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(LeaderLink)
class LeaderLinkAdmin(ScopedHistoryAdmin):
    list_display = ["leader_name", "leader_post", "cadre", "community", "since", "until"]
    list_filter = [CadreStreetFilter]
    list_select_related = ["cadre", "cadre__community"]
    search_fields = ["leader_name", "leader_post", "cadre__name"]
    autocomplete_fields = ["cadre"]

    @admin.display(description=_("社区"), ordering="cadre__community__name")
    def community(self, link):
        return link.cadre.community
