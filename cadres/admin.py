import tempfile
from functools import partial

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from import_export.forms import ExportForm

from cadres import admin_roster
from cadres.exports import write_roster
from cadres.models import Attendance, AttendanceExcuse, BranchMembership, Cadre, PartyBranch, Unit
from cadres.resources import CadreResource
from cadres.services import mark_lives_away
from communities.models import AuditEvent, Community, Street
from core.admin_base import (
    CommunityFilter,
    EditableTabularInline,
    ReadOnlyTabularInline,
    ScopedAdmin,
    ScopedHistoryAdmin,
    StreetFilter,
)
from core.audit import record_event
from core.dates import month_start, previous_month
from core.forms import parse_id
from core.privacy import FULL, MASKED, can_see_identity, field_view, masked
from core.scope import scope_of
from core.spreadsheets import SafeCSV, SafeXLSX, xlsx_response


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


class MembershipInline(EditableTabularInline):
    model = BranchMembership
    extra = 0
    autocomplete_fields = ["branch"]
    fields = ["branch", "relation", "joined_on", "left_on"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("branch")


class ExcuseInline(ReadOnlyTabularInline):
    """送学上门: what held when (written from the worker's page or 易地居住 below, never edited here)."""

    model = AttendanceExcuse
    fields = ["reason", "place", "starts_on", "ends_on", "recorded_by"]
    related = ("cadre", "recorded_by")


EXCUSE_FIELDS = ("lives_away", "away_place")


def _sees_excuses(user) -> bool:
    """Whether ``user`` reads and marks why a member is excused (卧床, 外出, 易地居住): the excuse's own
    declaration (``AttendanceExcuse.SENSITIVE_FIELDS``), as the worker's page asks it."""
    return field_view(user, AttendanceExcuse, "reason") == FULL


class CadreForm(forms.ModelForm):
    """The roster form, and whether the cadre lives elsewhere (易地居住): dated, from today (``mark_lives_away``)."""

    lives_away = forms.BooleanField(
        label=_("易地居住"), required=False, help_text=_("从保存之日起生效；以前月份的数据不变。")
    )
    away_place = forms.CharField(label=_("易地居住地"), max_length=100, required=False)

    class Meta:
        model = Cadre
        fields: list[str] = []  # the admin passes the fieldsets' fields (get_fieldsets)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            away = self.instance.excuses.open().filter(reason=Attendance.LIVES_AWAY).first()
            self.initial.update(lives_away=away is not None, away_place=away.place if away else "")


def _as_seen(user, field: str, *, typed_in: bool = False) -> str | None:
    """A roster field as ``user`` sees it in the admin (core.privacy.field_view, the model's declaration): the
    field itself, its masked read-only twin (``masked_<field>``), or None (not shown). A new cadre's details
    are typed in whatever the role (``typed_in``); a stored one is shown as the rule says."""
    view = field_view(user, Cadre, field)
    if view == FULL or typed_in:
        return field
    return f"masked_{field}" if view == MASKED else None


# below three characters a term is searched as a prefix (cadres/migrations/0007_name_search_indexes.py)
MIN_CONTAINS = 3


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    """原单位: the units cadres retired from or are looked after by; the roster import maps names to them."""

    list_display = ["name", "kind", "retiree_count"]
    list_filter = ["kind"]
    search_fields = ["name"]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(retiree_count=Count("retirees"))

    @admin.display(description=_("原在该单位的老同志"), ordering="retiree_count")
    def retiree_count(self, unit):
        return unit.retiree_count


@admin.register(Cadre)
class CadreAdmin(ExportMixin, ScopedHistoryAdmin):
    resource_classes = [CadreResource]
    export_form_class = ExportForm  # every column of the template, in its order: one choice, the format
    change_list_template = "admin/cadres/roster_change_list.html"
    list_display = ["name", "gender", "birth_date", "id_number", "phone", "community", "is_party_member", "deceased_on"]
    list_filter = [
        StreetFilter,
        CommunityFilter,
        LivingFilter,
        "gender",
        "retirement_kind",
        "is_party_member",
        "membership_in_community",
    ]
    list_select_related = ["community"]
    # ID numbers and phones are encrypted: they are searched by digest and by tail (get_search_results)
    search_fields = ["name", "name_initials", "name_pinyin"]
    search_help_text = _("按姓名、拼音或首字母查找（一两个字按开头查，如姓氏）；也可输入身份证号或手机后四位。")
    autocomplete_fields = ["community", "former_unit", "managing_unit"]
    form = CadreForm
    inlines = [MembershipInline]
    fieldsets = [
        (
            _("基本信息"),
            {"fields": ["name", "gender", "birth_date", "id_number", "ethnicity", "phone", "community", "address"]},
        ),
        (
            _("离退休信息"),
            {"fields": ["retirement_kind", "retired_on", "former_unit", "former_position", "managing_unit"]},
        ),
        (
            _("党员信息"),
            {
                "fields": [
                    "is_party_member",
                    "joined_party_on",
                    "membership_in_community",
                    "membership_elsewhere",
                ]
            },
        ),
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

    def get_list_display(self, request):
        return [seen for field in self.list_display if (seen := _as_seen(request.user, field))]

    def get_inlines(self, request, obj):
        # the excuses' reasons (卧床) are health facts: their list only for whoever may read them
        if obj is not None and _sees_excuses(request.user):
            return [*self.inlines, ExcuseInline]
        return self.inlines

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # 易地居住 is an excuse's reason (a health fact): read and written only by whoever may see it, whatever
        # a hand-made POST carries (the form's declared fields are always bound)
        if _sees_excuses(request.user) and {"lives_away", "away_place"} & set(form.changed_data):
            mark_lives_away(
                cadre=obj,
                lives_away=form.cleaned_data["lives_away"],
                place=form.cleaned_data["away_place"],
                on=timezone.localdate(),
                by=request.user,
            )

    def get_fieldsets(self, request, obj=None):
        fieldsets = []
        for title, options in super().get_fieldsets(request, obj):
            fields = [
                seen
                for field in options["fields"]
                if (seen := _as_seen(request.user, field, typed_in=obj is None))
                and (field not in EXCUSE_FIELDS or _sees_excuses(request.user))
            ]
            if fields:
                fieldsets.append((title, {**options, "fields": fields}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        masked = [f"masked_{field}" for field in Cadre.MASKED_FIELDS]
        return [*super().get_readonly_fields(request, obj), *masked]

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        digits = term.replace(" ", "")
        if can_see_identity(request.user) and len(digits) in (15, 18) and digits[:-1].isdigit():
            return queryset.filter(pk__in=Cadre.objects.with_id_number(digits).values("pk")), False
        if len(digits) == 4 and digits.isdigit():
            return queryset.filter(phone_tail=digits), False
        places = Community.objects.for_user(request.user).filter(name=term).values("pk") if term else None
        if places is not None and places.exists():  # "华阳社区": that community's roster
            return queryset.filter(community__in=places), False
        if 0 < len(term) < MIN_CONTAINS and " " not in term:
            # too short for a trigram index: a prefix (a surname, pinyin initials), which a btree answers
            prefix = Q(name__istartswith=term) | Q(name_initials__istartswith=term) | Q(name_pinyin__istartswith=term)
            return queryset.filter(prefix), False
        return super().get_search_results(request, queryset, search_term)

    def get_export_filename(self, request, queryset, file_format, *, as_csv=False):
        """离退休干部花名册-华阳社区-2026-12-02.xlsx: the roster's own name, the place it covers, the day."""
        scope, place = scope_of(request.user), str(_("全区"))
        community = request.GET.get("community") or scope.community_id
        street = request.GET.get("street") or scope.street_id
        if parse_id(community):
            place = Community.objects.filter(pk=community).values_list("name", flat=True).first() or place
        elif parse_id(street):
            place = Street.objects.filter(pk=street).values_list("name", flat=True).first() or place
        today = timezone.localdate()
        return f"{_('离退休干部花名册')}-{place}-{today:%Y-%m-%d}.{'csv' if as_csv else 'xlsx'}"

    # the masked twins of Cadre.MASKED_FIELDS (shown only where the rule says masked: _as_seen)
    @admin.display(description=_("出生年月"), ordering="birth_date")
    def masked_birth_date(self, cadre):
        return masked(cadre, "birth_date")

    @admin.display(description=_("身份证号码"))
    def masked_id_number(self, cadre):
        return masked(cadre, "id_number")

    @admin.display(description=_("联系电话"))
    def masked_phone(self, cadre):
        return masked(cadre, "phone")

    @admin.display(description=_("紧急联系人电话"))
    def masked_emergency_contact_phone(self, cadre):
        return masked(cadre, "emergency_contact_phone")

    # --- roster in and out ----------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        roster = [
            path("import/", wrap(partial(admin_roster.roster_upload, self)), name="cadres_cadre_import"),
            path(
                "import/template/",
                wrap(partial(admin_roster.roster_template, self)),
                name="cadres_cadre_import_template",
            ),
            path(
                "import/<int:pk>/",
                wrap(partial(admin_roster.roster_status, self)),
                name="cadres_cadre_import_status",
            ),
            path(
                "import/<int:pk>/errors.xlsx",
                wrap(partial(admin_roster.roster_errors, self)),
                name="cadres_cadre_import_errors",
            ),
        ]
        return roster + super().get_urls()

    def get_export_formats(self):
        return [SafeXLSX, SafeCSV]

    def get_export_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        """The roster streamed (cadres.exports): a temporary file, never the whole sheet in memory.

        django-import-export builds the dataset and the file in memory (746 MB for 500,000 cadres);
        this is its one export step, replaced here and tested in tests/cadres/test_roster_export.py.
        """
        as_csv = issubclass(file_format if isinstance(file_format, type) else type(file_format), SafeCSV)
        target = tempfile.TemporaryFile()  # noqa: SIM115 -- the response closes (and so deletes) it
        rows = write_roster(target, queryset, user=request.user, as_csv=as_csv)
        target.seek(0)
        filters = {key: value for key, value in request.GET.items() if key not in ("p", "o")}
        record_event(
            kind=AuditEvent.Kind.EXPORT,
            request=request,
            rows=rows,
            model="cadres.Cadre",
            format="CSV" if as_csv else "XLSX",
            filters=filters,
            masked=not can_see_identity(request.user),
        )
        filename = self.get_export_filename(request, queryset, file_format, as_csv=as_csv)
        content_type = (SafeCSV if as_csv else SafeXLSX)().get_content_type()
        return xlsx_response(target, filename, content_type=content_type)


class BranchMemberInline(ReadOnlyTabularInline):
    """A branch's members, read-only here (one query whatever the size); edited as 支部成员."""

    model = BranchMembership
    fields = ["cadre_name", "relation", "joined_on", "left_on"]
    related = ("cadre", "branch")  # the row's title shows "cadre @ branch"

    @admin.display(description=_("姓名"))
    def cadre_name(self, membership):
        return membership.cadre.name


@admin.register(PartyBranch)
class PartyBranchAdmin(ScopedHistoryAdmin):
    list_display = ["name", "community", "kind", "unit", "star_rating", "honour", "venue"]
    list_filter = [StreetFilter, "kind", "unit", "star_rating", "honour"]
    list_select_related = ["community", "venue", "venue__community"]
    search_fields = ["name", "community__name"]
    autocomplete_fields = ["community", "venue", "secretary"]
    readonly_fields = ["sign_in_books", "archive"]
    inlines = [BranchMemberInline]

    @admin.display(description=_("一支部一档案"))
    def archive(self, branch):
        """Links to the branch's archive of this year (page to print, and Excel)."""
        if branch.pk is None:
            return "—"
        page, workbook = reverse("branch_archive", args=[branch.pk]), reverse("branch_archive_xlsx", args=[branch.pk])
        return format_html(
            '<a href="{}" target="_blank">{}</a> · <a href="{}">{}</a>',
            page,
            _("打印本年档案"),
            workbook,
            _("下载Excel"),
        )

    @admin.display(description=_("签到簿"))
    def sign_in_books(self, branch):
        """Links to print the last three months of the branch's sign-in books."""
        if branch.pk is None:
            return "—"
        month = month_start(timezone.localdate())
        links = []
        for _n in range(3):
            url = reverse("branch_month_print", args=[branch.pk, f"{month:%Y-%m}"])
            links.append(
                format_html('<a href="{}" target="_blank">{}</a>', url, date_format(month, "YEAR_MONTH_FORMAT"))
            )
            month = previous_month(month)
        return format_html_join(" · ", "{}", ((link,) for link in links))


class BranchStreetFilter(StreetFilter):
    street_path = "branch__community__street"


@admin.register(BranchMembership)
class BranchMembershipAdmin(ScopedHistoryAdmin):
    list_display = ["cadre", "branch", "relation", "joined_on", "left_on"]
    list_filter = [BranchStreetFilter, "relation"]
    linked_lookups = ("branch__id__exact",)  # the branch page's "查看全部"
    list_select_related = ["cadre", "branch"]
    search_fields = ["cadre__name", "branch__name"]
    autocomplete_fields = ["cadre", "branch"]


from cadres import admin_care, admin_members  # noqa: E402,F401  (registered there: care, members)
