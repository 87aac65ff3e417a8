"""Admin building blocks shared by every app: scope, large-table paging."""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from communities.scope import scope_of

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


class ScopedAdmin(admin.ModelAdmin):
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

    def user_scope(self, request):
        return scope_of(request.user)


class StreetFilter(admin.SimpleListFilter):
    """Filter by street: a short list, limited to the streets the user may see."""

    title = _("街道/镇")
    parameter_name = "street"
    street_path = "community__street"

    def lookups(self, request, model_admin):
        from communities.models import Street

        scope = scope_of(request.user)
        if not scope.is_district:
            return []
        return [(street.pk, street.name) for street in Street.objects.for_user(request.user).only("name")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.street_path}_id": self.value()})
        return queryset
