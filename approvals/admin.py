"""The admin's doors to a month's records: add, change, delete, bulk delete and inline rows ask the month lock
inside the save's transaction, and a refusal is the lock's message on the page (nothing is written)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _

from approvals.lock import assert_record_open, delete_record


class MonthRecordAdmin:
    """Mixed into the admin of every model whose rows count in a month (they name it by ``month_key()``)."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            assert_record_open(obj)  # as stored and as changed; the admin's own service checks it again
            super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        with transaction.atomic():
            for inline_form in formset.forms:
                instance = inline_form.instance
                touched = inline_form.has_changed() or inline_form in getattr(formset, "deleted_forms", [])
                if touched and hasattr(instance, "month_key") and (instance.pk or inline_form.has_changed()):
                    assert_record_open(instance)
            super().save_formset(request, form, formset, change)

    def delete_model(self, request, obj):
        """Deleted through ``delete_record`` (or the admin's own service): refused in a frozen month."""
        delete_record(obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as error:
            messages.error(request, _("没有删除：%(reason)s") % {"reason": "；".join(error.messages)})
            return HttpResponseRedirect(request.get_full_path())

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except ValidationError as error:  # a bulk action (delete, resolve) that reached a frozen month
            messages.error(request, _("没有执行：%(reason)s") % {"reason": "；".join(error.messages)})
            return HttpResponseRedirect(request.get_full_path())
