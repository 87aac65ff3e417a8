"""Admin of the three lists (resources, needs, projects) and the time bank."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from activities.models import FollowUp, Need, NeedChange, Project, Redemption, Resource, RoomRequest, ServiceRecord
from activities.services import move_need, raise_need, record_service, redeem_points, reverse_service
from activities.services.timebank import balance_of
from approvals.admin import MonthRecordAdmin
from cadres.admin_care import CadreStreetFilter
from core.admin_base import ReadOnlyAdminMixin, ReadOnlyTabularInline, ScopedHistoryAdmin, StreetFilter


def _adopt(obj, saved):
    """Make the admin's unsaved instance the row a service just saved (so the admin's log and redirect work)."""
    obj.__dict__.update(saved.__dict__)


@admin.register(Resource)
class ResourceAdmin(ScopedHistoryAdmin):
    list_display = ["name", "kind", "category", "community", "provider", "is_available"]
    list_filter = [StreetFilter, "kind", "category", "is_available"]
    list_select_related = ["community"]
    search_fields = ["name", "provider", "description", "community__name"]
    autocomplete_fields = ["community"]


class NeedChangeInline(ReadOnlyTabularInline):
    model = NeedChange
    fields = ["on", "from_status", "to_status", "note", "by"]
    related = ("by", "need")


def _move_selected(modeladmin, request, queryset, to):
    moved, refused = 0, []
    for need in queryset:
        try:
            move_need(need=need, to=to, on=timezone.localdate(), by=request.user, note=str(_("后台批量操作")))
            moved += 1
        except ValidationError as error:
            refused.append(" ".join(error.messages))
    if moved:
        messages.success(request, ngettext("已更新%(n)d条需求。", "已更新%(n)d条需求。", moved) % {"n": moved})
    for reason in refused:
        messages.error(request, reason)


@admin.action(description=_("标记为已解决（今天）"))
def mark_resolved(modeladmin, request, queryset):
    _move_selected(modeladmin, request, queryset, Need.Status.RESOLVED)


@admin.action(description=_("关闭（今天）"))
def mark_closed(modeladmin, request, queryset):
    _move_selected(modeladmin, request, queryset, Need.Status.CLOSED)


@admin.register(Need)
class NeedAdmin(MonthRecordAdmin, ScopedHistoryAdmin):
    """Needs are raised here or on the worker pages; their status moves only along the allowed steps."""

    list_display = [
        "title",
        "community",
        "cadre",
        "category",
        "urgency",
        "status",
        "raised_on",
        "matched_on",
        "resolved_on",
        "taker",
    ]
    list_filter = [StreetFilter, "status", "category", "urgency"]
    list_select_related = ["community", "cadre", "taken_by_talent__cadre", "taken_by_group"]
    search_fields = ["title", "description", "cadre__name", "community__name"]
    autocomplete_fields = ["community", "cadre"]
    fields = ["community", "cadre", "title", "description", "category", "urgency", "raised_on"]
    readonly_fields = ["status", "matched_on", "resolved_on", "closed_on", "taker", "outcome", "visit"]
    inlines = [NeedChangeInline]
    actions = [mark_resolved, mark_closed]

    def get_fields(self, request, obj=None):
        return self.fields + (self.readonly_fields if obj is not None else [])

    def get_readonly_fields(self, request, obj=None):
        # who raised it, where and when stay as raised; the status moves only through its steps
        return [*self.readonly_fields, "community", "cadre", "raised_on"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False  # a need raised in error is closed (已关闭), so the funnel and its history stay whole

    @admin.display(description=_("接单方"))
    def taker(self, need):
        return need.taker or "—"

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            _adopt(obj, raise_need(need=obj, by=request.user))


@admin.register(Project)
class ProjectAdmin(ScopedHistoryAdmin):
    list_display = ["title", "community", "category", "status", "claimant", "claimed_on", "progress"]
    list_filter = [StreetFilter, "status", "category"]
    list_select_related = ["community", "claimed_by_branch", "claimed_by_group"]
    search_fields = ["title", "description", "claimed_by_unit", "community__name"]
    autocomplete_fields = ["community", "claimed_by_branch", "claimed_by_group", "needs", "resources"]

    @admin.display(description=_("认领方"))
    def claimant(self, project):
        return project.claimant or "—"


class AppendOnlyAdmin(ScopedHistoryAdmin):
    """Ledger entries are added, never changed or deleted: a correction is a reversing entry."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.action(description=_("冲正所选记录"))
def reverse_selected(modeladmin, request, queryset):
    for record in queryset.filter(kind=ServiceRecord.Kind.SERVICE):
        try:
            reverse_service(record=record, by=request.user, reason=str(_("后台冲正")))
            messages.success(request, _("已冲正：%(record)s") % {"record": record})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))


@admin.register(ServiceRecord)
class ServiceRecordAdmin(MonthRecordAdmin, AppendOnlyAdmin):
    """Hours entered by the bureau (for people without a phone) or credited from volunteer activities."""

    list_display = [
        "served_on",
        "cadre",
        "community",
        "kind",
        "hours",
        "points",
        "description",
        "verified_by",
        "statement",
    ]
    list_filter = [CadreStreetFilter, "kind"]
    list_select_related = ["cadre", "cadre__community", "verified_by"]
    search_fields = ["cadre__name", "cadre__name_initials", "description"]
    autocomplete_fields = ["cadre", "need", "activity"]
    fields = ["cadre", "served_on", "hours", "description", "need", "activity"]
    actions = [reverse_selected]

    def get_readonly_fields(self, request, obj=None):
        return ["kind", "points", "verified_by", "reverses", "created_at"] if obj is not None else []

    def get_fields(self, request, obj=None):
        return self.fields + self.get_readonly_fields(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("activities.add_servicerecord"):
            actions.pop("reverse_selected", None)
        return actions

    @admin.display(description=_("社区"), ordering="cadre__community__name")
    def community(self, record):
        return record.cadre.community

    @admin.display(description=_("对账单"))
    def statement(self, record):
        url = reverse("timebank_statement", args=[record.cadre_id])
        return format_html('<a href="{}" target="_blank">{}</a>', url, _("打印"))

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = record_service(
            cadre=data["cadre"],
            served_on=data["served_on"],
            hours=data["hours"],
            description=data["description"],
            need=data.get("need"),
            activity=data.get("activity"),
            verified_by=request.user,
        )
        _adopt(obj, saved)


@admin.register(Redemption)
class RedemptionAdmin(MonthRecordAdmin, AppendOnlyAdmin):
    list_display = ["redeemed_on", "cadre", "community", "points", "item", "recorded_by"]
    list_filter = [CadreStreetFilter]
    list_select_related = ["cadre", "cadre__community", "recorded_by"]
    search_fields = ["cadre__name", "cadre__name_initials", "item"]
    autocomplete_fields = ["cadre"]
    fields = ["cadre", "points", "item", "redeemed_on"]

    @admin.display(description=_("社区"), ordering="cadre__community__name")
    def community(self, redemption):
        return redemption.cadre.community

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class BalanceCheckedForm(form):
            def clean(self):
                cleaned = super().clean()
                cadre, points = cleaned.get("cadre"), cleaned.get("points")
                if cadre is not None and points is not None:
                    balance = balance_of(cadre)
                    if points <= 0:
                        self.add_error("points", _("兑换积分应大于0。"))
                    elif points > balance:
                        self.add_error("points", _("积分余额为%(balance)d，不足以兑换。") % {"balance": balance})
                return cleaned

        return BalanceCheckedForm

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        _adopt(
            obj,
            redeem_points(
                cadre=data["cadre"], points=data["points"], item=data["item"], on=data["redeemed_on"], by=request.user
            ),
        )


class FollowUpStreetFilter(StreetFilter):
    street_path = "activity__organiser_branch__community__street"


@admin.register(FollowUp)
class FollowUpAdmin(MonthRecordAdmin, ScopedHistoryAdmin):
    """送学上门 records, read by the bureau; the liaison records them on the absence list (one service)."""

    list_display = ["done_on", "cadre", "activity", "how", "note", "recorded_by"]
    list_filter = [FollowUpStreetFilter, "how"]
    list_select_related = ["cadre", "activity", "recorded_by"]
    search_fields = [
        "cadre__name",
        "cadre__name_initials",
        "activity__title",
        "activity__organiser_branch__community__name",
    ]
    date_hierarchy = "done_on"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class VenueStreetFilter(StreetFilter):
    street_path = "venue__community__street"


@admin.register(RoomRequest)
class RoomRequestAdmin(ReadOnlyAdminMixin, ScopedHistoryAdmin):
    """Room requests are made and answered on the portal's pages (through their services); here they are read."""

    list_display = ["branch", "venue", "starts_at", "ends_at", "status", "reason", "requested_by", "answered_at"]
    list_filter = [VenueStreetFilter, "status"]
    list_select_related = ["branch", "venue", "venue__community", "requested_by"]
    search_fields = ["branch__name", "venue__name", "title"]
