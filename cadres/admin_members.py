"""Admin lists of residence registrations and mobile members (一方隶属、多方管理), each exportable."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.models import MobileContact, MobileMember, ResidenceRegistration
from communities.models import AuditEvent
from core.admin_base import ReadOnlyAdminMixin, ReadOnlyTabularInline, ScopedHistoryAdmin, StreetFilter
from core.audit import record_event
from core.privacy import can_see_identity, mask_numbers_in
from core.spreadsheets import add_sheet, new_workbook, to_bytes, xlsx_response


class CadreStreetFilter(StreetFilter):
    street_path = "cadre__community__street"


class RegistrationStreetFilter(StreetFilter):
    street_path = "community__street"


def _export(modeladmin, request, queryset, *, title, headers, row):
    rows = [row(obj) for obj in queryset]
    record_event(kind=AuditEvent.Kind.DOWNLOAD, request=request, what=str(title), rows=len(rows))
    workbook = new_workbook()
    today = timezone.localdate()
    add_sheet(workbook, title, headers, rows, [16] * len(headers), heading=f"{title}（{today:%Y-%m-%d}）")
    return xlsx_response(to_bytes(workbook), f"{title}-{today:%Y%m%d}.xlsx")


@admin.register(ResidenceRegistration)
class ResidenceRegistrationAdmin(ReadOnlyAdminMixin, ScopedHistoryAdmin):
    """Registrations are recorded and followed up on the community worker's page (one service); read here."""

    list_display = ["cadre", "community", "reported_on", "status", "followed_up_on"]
    list_filter = [RegistrationStreetFilter, "status"]
    list_select_related = ["cadre", "community"]
    search_fields = ["cadre__name", "cadre__name_initials"]
    autocomplete_fields = ["cadre", "community"]
    fields = ["cadre", "community", "reported_on", "status", "follow_up", "followed_up_on", "ended_on"]
    actions = ["export_xlsx"]

    @admin.action(description=_("导出所选（Excel）"))
    def export_xlsx(self, request, queryset):
        return _export(
            self,
            request,
            queryset.select_related("cadre", "community"),
            title=_("居住地报到"),
            headers=[_("姓名"), _("报到社区"), _("报到日期"), _("状态"), _("最近跟进")],
            row=lambda r: [r.cadre.name, r.community.name, r.reported_on, r.get_status_display(), r.followed_up_on],
        )


class MobileContactInline(ReadOnlyTabularInline):
    """Contacts are recorded on the worker's page (one service); the admin shows the latest."""

    model = MobileContact
    fields = ["contacted_on", "note", "by"]
    related = ("by",)
    ordering = ["-contacted_on"]


@admin.register(MobileMember)
class MobileMemberAdmin(ReadOnlyAdminMixin, ScopedHistoryAdmin):
    """Mobile members are added, contacted and marked returned on the worker's pages; read here, the
    contact masked unless the role may see phone numbers."""

    list_display = ["cadre", "place", "left_on", "contact_interval_days", "returned_on"]
    list_filter = [CadreStreetFilter, "contact_interval_days"]
    list_select_related = ["cadre"]
    search_fields = ["cadre__name", "cadre__name_initials", "place"]
    autocomplete_fields = ["cadre"]
    inlines = [MobileContactInline]
    actions = ["export_xlsx"]

    @admin.action(description=_("导出所选（Excel）"))
    def export_xlsx(self, request, queryset):
        return _export(
            self,
            request,
            queryset.select_related("cadre"),
            title=_("流动党员"),
            headers=[_("姓名"), _("现所在地"), _("外出时间"), _("联系周期"), _("返回时间")],
            row=lambda m: [m.cadre.name, m.place, m.left_on, m.get_contact_interval_days_display(), m.returned_on],
        )

    @admin.display(description=_("联系方式"))
    def masked_contact(self, obj):
        return mask_numbers_in(obj.contact)

    def get_fields(self, request, obj=None):
        contact = "contact" if can_see_identity(request.user) else "masked_contact"
        return ["cadre", "place", contact, "left_on", "contact_interval_days", "returned_on", "notes"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)
