"""Admin building blocks shared by every app: scope, large-table paging."""

import dataclasses
import html
from urllib.parse import urlencode

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, connections, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.constants import LOOKUP_SEP
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.forms import parse_id
from core.privacy import may_look_up
from core.scope import scope_of

# An exact COUNT over millions of rows costs hundreds of ms on PostgreSQL; above
# this many rows an unfiltered list shows the planner's estimate instead.
ESTIMATE_ABOVE = 100_000


class EstimatedCountPaginator(Paginator):
    """Paginator that trusts PostgreSQL's row estimate for unfiltered large tables."""

    @cached_property
    def count(self):
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is not None and not query.where and connections[queryset.db].vendor == "postgresql":
            with connections[queryset.db].cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
                    [queryset.model._meta.db_table],
                )
                row = cursor.fetchone()
            if row and row[0] and row[0] > ESTIMATE_ABOVE:
                return int(row[0])
        return super().count


class StrictLookupsMixin:
    """A list answers only the filters its screen offers; a sensitive field's filter needs its permission.

    Django lets any query parameter on a model's own fields filter a list (``?reason_illness__exact=1``),
    whether or not the screen offers it: here such a parameter, or a value a filter cannot read, is a
    400, never a filtered list.
    """

    # lookups a link from another admin page uses (a parent's "see all" link), e.g. "activity__id__exact"
    linked_lookups: tuple[str, ...] = ()

    def _offered_lookups(self, request) -> list[str]:
        offered = []
        for item in self.get_list_filter(request):
            if isinstance(item, str):
                offered.append(item)
            elif isinstance(item, (tuple, list)):
                offered.append(item[0])
            elif isinstance(item, type) and issubclass(item, admin.SimpleListFilter) and item.parameter_name:
                offered.append(item.parameter_name)  # a filter of the screen's own: its parameter is offered
        if self.date_hierarchy:
            offered.append(self.date_hierarchy)
        return offered + list(self.linked_lookups)

    def lookup_allowed(self, lookup, value, request=None):
        if request is not None and not may_look_up(request.user, self.model, lookup):
            return False
        offered = self._offered_lookups(request)
        if not any(lookup == path or lookup.startswith(path + LOOKUP_SEP) for path in offered):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_list_filter(self, request):
        """The screen's filters, less those on a field the user may not see."""
        kept = []
        for item in super().get_list_filter(request):
            path = item if isinstance(item, str) else item[0] if isinstance(item, (tuple, list)) else None
            if path is not None and not may_look_up(request.user, self.model, path):
                continue
            kept.append(item)
        return kept

    def get_search_fields(self, request):
        return [
            field
            for field in super().get_search_fields(request)
            if may_look_up(request.user, self.model, field.lstrip("^=@"))
        ]

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except IncorrectLookupParameters:
            raise BadRequest("unreadable filter value") from None


def record_sensitive_view(request, model, object_id) -> None:
    """Opening a record whose sensitive fields the user may see unmasked is itself in the audit trail."""
    permissions = {perm for perm in getattr(model, "SENSITIVE_FIELDS", {}).values() if request.user.has_perm(perm)}
    if permissions:
        from core.audit import record_event

        record_event(
            kind=apps.get_model("communities", "AuditEvent").Kind.SENSITIVE_VIEW,
            request=request,
            model=model._meta.label,
            object=str(object_id),
            permissions=sorted(permissions),
        )


class ScopedAdmin(StrictLookupsMixin, admin.ModelAdmin):
    """A ModelAdmin whose rows, choices and autocompletes stay inside the user's scope."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.for_user(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if hasattr(related.objects, "for_user"):
            kwargs.setdefault("queryset", related.objects.for_user(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related = db_field.related_model
        if hasattr(related.objects, "for_user"):
            kwargs.setdefault("queryset", related.objects.for_user(request.user))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Save in one transaction; a rule or constraint that refuses the save at commit time is a message.

        The form's own checks name most problems on the form; what only the database can see (a clash
        saved at the same moment by someone else, a unique row) ends here instead of in a 500.
        """
        try:
            with transaction.atomic():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            messages.error(request, _("没有保存：%(reason)s") % {"reason": "；".join(error.messages)})
        except IntegrityError:
            messages.error(request, _("没有保存：与已有记录冲突（例如重复登记或时间冲突），请刷新后检查。"))
        return HttpResponseRedirect(request.get_full_path())

    def get_changeform_initial_data(self, request):
        """Prefilled values from the query string (?community=5), less any a field cannot read."""
        from django.core.exceptions import FieldDoesNotExist

        initial = {}
        for name, value in super().get_changeform_initial_data(request).items():
            try:
                field = self.model._meta.get_field(name)
                target = field.target_field if field.is_relation and field.many_to_one else field
                if not field.many_to_many:
                    target.to_python(value)
            except (FieldDoesNotExist, ValidationError, ValueError, TypeError, AttributeError):
                continue
            initial[name] = value
        return initial

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            record_sensitive_view(request, self.model, object_id)
        return response

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # outside the scope (or gone): answer 404 rather than hint that the row exists
        raise Http404


class SelectListFilter(admin.SimpleListFilter):
    """A filter with many choices (the 400 streets of a province) drawn as one drop-down and a button.

    Django draws each choice as a link whose query string it builds (about 0.1 ms a choice, every
    request); here the list's other parameters are hidden fields of one small form instead.
    """

    template = "admin/filter_select.html"

    def options(self) -> str:
        """The drop-down's options as one piece of HTML: escaped in one pass, not a template loop a choice
        (the loop was a third of the cadre list's time with 400 streets)."""
        current = self.value() or ""
        rows = [("", str(_("全部"))), *((str(value), str(label)) for value, label in self.lookup_choices)]
        return mark_safe(  # noqa: S308 - every value and label is escaped here
            "".join(
                f'<option value="{html.escape(value)}"{" selected" if value == current else ""}>'
                f"{html.escape(label)}</option>"
                for value, label in rows
            )
        )

    def choices(self, changelist):
        self.kept = [
            (name, value)
            for name, values in changelist.filter_params.items()
            if name != self.parameter_name
            for value in values
        ]
        current = self.value()
        yield {"value": "", "display": _("全部"), "selected": current is None}
        for value, label in self.lookup_choices:
            yield {"value": str(value), "display": label, "selected": current == str(value)}


class StreetFilter(SelectListFilter):
    """Filter by street: the streets the user may see, in a drop-down."""

    title = _("街道/镇")
    parameter_name = "street"
    street_path = "community__street"

    def lookups(self, request, model_admin):
        Street = apps.get_model("communities", "Street")  # noqa: N806 - a model class, from the registry

        scope = scope_of(request.user)
        if not scope.is_wide:
            return []
        return list(Street.objects.for_user(request.user).values_list("pk", "name"))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.street_path}_id": self.value()})
        return queryset


class CommunityFilter(SelectListFilter):
    """Filter by community: the communities of the chosen street (or of the user's own street), so one
    community's roster can be listed and exported; a district user picks the street first."""

    title = _("社区/村")
    parameter_name = "community"
    community_path = "community"

    def lookups(self, request, model_admin):
        Community = apps.get_model("communities", "Community")  # noqa: N806 - a model class, from the registry

        scope = scope_of(request.user)
        if scope.level not in ("city", "district", "street"):
            return []
        street = request.GET.get("street") if scope.is_wide else scope.street_id
        if parse_id(street) is None:
            return []
        communities = Community.objects.for_user(request.user).filter(street_id=street)
        return list(communities.values_list("pk", "name"))

    def queryset(self, request, queryset):
        if self.value():
            if parse_id(self.value()) is None:
                raise IncorrectLookupParameters(self.value())
            return queryset.filter(**{f"{self.community_path}_id": self.value()})
        return queryset


class ScopedHistoryAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """A scoped admin with the audit trail's history pages, scoped the same way."""

    def _check_in_scope(self, request, object_id):
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            # simple_history falls back to historical rows for missing objects; in scope or 404
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._check_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_in_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """The change history says which field changed and when, each value as the reader may see it (the one
        rule, ``core.privacy.field_view``): the auditor sees that an address changed, not the address."""
        previous = None
        for current in historical_records:
            if previous is None:
                previous = current
                continue
            delta = previous.diff_against(current, foreign_keys_are_objs=foreign_keys_are_objs)
            changes = [_as_read_by(request.user, self.model, change) for change in delta.changes]
            delta = dataclasses.replace(delta, changes=changes)
            helper = self.get_historical_record_context_helper(request, previous)
            previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current


def _as_read_by(user, model, change):
    """One change of a history row with its two values as ``user`` may see them."""
    from core.privacy import FULL, HIDDEN, MASKS, field_view

    view = field_view(user, model, change.field)
    if view == FULL:
        return change
    if view == HIDDEN:
        return dataclasses.replace(change, old=_("（已隐去）"), new=_("（已隐去）"))
    mask = MASKS[model.MASKED_FIELDS[change.field]]
    return dataclasses.replace(change, old=mask(change.old), new=mask(change.new))


class ReadOnlyAdminMixin:
    """Rows written only by the portal itself (audit events, ledgers, runs): read, never added, changed or deleted."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def rows_counted(model, fk: str):
    """The number of ``model`` rows pointing at each row of a list, as a correlated subquery.

    Counted for the rows of the page only; ``annotate(Count(...))`` would join and group the whole
    table before the page is cut (2.7 s for the activity list at 5 million sign-ins, against 1.5 ms).
    Not sortable: sorting by it would count every row again.
    """
    per_row = model.objects.filter(**{fk: OuterRef("pk")}).order_by().values(fk).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(per_row), 0)


class ReadOnlyTabularInline(admin.TabularInline):
    """A list of related rows shown, never edited, on a change page; its rows come with ``related``."""

    extra = 0
    can_delete = False
    related: tuple = ()  # select_related of the rows, so a long list costs one query
    shown = 50  # rows on the change page; the rest are in the related model's list
    template = "admin/edit_inline/tabular_capped.html"

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.related)

    def get_formset(self, request, obj=None, **kwargs):
        """The first ``shown`` rows and how many there are in all, with a link to the full list.

        A change page with a 700-member branch renders 50 rows, not 700: its time and size do not grow
        with the rows, and the whole list is one click away (the related model's paginated list).
        """
        formset = super().get_formset(request, obj, **kwargs)
        inline = self

        class CappedFormSet(formset):
            @cached_property
            def _capped_rows(self):
                queryset = super().get_queryset()
                rows = list(queryset[: inline.shown + 1])
                total = len(rows) if len(rows) <= inline.shown else queryset.count()
                return rows[: inline.shown], total

            def get_queryset(self):
                return self._capped_rows[0]

            @property
            def total_rows(self):
                return self._capped_rows[1]

            @property
            def full_list_url(self):
                if self.total_rows <= inline.shown:
                    return None
                return inline.full_list_url(request, f"{self.fk.name}__id__exact", self.instance.pk)

        return CappedFormSet

    def full_list_url(self, request, lookup, parent_pk):
        """The related model's admin list filtered to the parent, when there is one the user may open."""
        model_admin = self.admin_site._registry.get(self.model)
        if model_admin is None or parent_pk is None or not model_admin.has_view_permission(request):
            return None
        url = reverse(f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_changelist")
        return f"{url}?{urlencode({lookup: parent_pk})}"


class _PrimedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete whose selected row was loaded with its formset's (``primed``), not one query a row."""

    primed: dict | None = None

    def optgroups(self, name, value, attr=None):
        selected = [str(v) for v in value if str(v) not in self.choices.field.empty_values]
        if self.primed is None or any(pk not in self.primed for pk in selected):
            return super().optgroups(name, value, attr)
        default = (None, [], 0)
        if not self.is_required:
            default[1].append(self.create_option(name, "", "", False, 0))
        for pk in selected:
            label = self.choices.field.label_from_instance(self.primed[pk])
            default[1].append(self.create_option(name, self.primed[pk].pk, label, set(selected), len(default[1])))
        return [default]


class EditableTabularInline(admin.TabularInline):
    """A list of related rows edited on a change page: the rows' autocomplete choices cost one query per
    field, not one per row (Django's autocomplete looks up each row's selected object on its own)."""

    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        # (the related-object buttons wrap the widget afterwards, in formfield_for_dbfield)
        if formfield is not None and type(formfield.widget) is AutocompleteSelect:
            formfield.widget.__class__ = _PrimedAutocompleteSelect
        return formfield

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        fields = [self.model._meta.get_field(name) for name in self.autocomplete_fields]
        fields = [field for field in fields if not field.many_to_many]

        class PrimedFormSet(formset):
            @cached_property
            def forms(self):
                forms = super().forms
                for field in fields:
                    ids = {getattr(form.instance, field.attname) for form in forms} - {None}
                    if not ids:
                        continue
                    choices = forms[0].fields[field.name].queryset  # the user's scope, as Django's own lookup
                    loaded = {str(pk): row for pk, row in choices.in_bulk(ids).items()}
                    for form in forms:
                        widget = getattr(form.fields[field.name].widget, "widget", None)
                        if isinstance(widget, _PrimedAutocompleteSelect):
                            widget.primed = loaded
                return forms

        return PrimedFormSet
