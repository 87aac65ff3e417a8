from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, ActivityPhoto, SignIn
from activities.services import check_sign_in, check_venue_free, record_sign_in, save_activity, undo_sign_in
from approvals.admin import MonthRecordAdmin
from core.admin_base import ReadOnlyTabularInline, ScopedHistoryAdmin, StreetFilter, rows_counted


class SignInInline(ReadOnlyTabularInline):
    """The activity's sign-in book, read-only: lines are added by signing in, not by editing here."""

    model = SignIn
    fields = ["person_name", "method", "signed_at", "signed_by"]
    related = ("cadre", "signed_by")

    @admin.display(description=_("姓名"))
    def person_name(self, sign_in):
        return sign_in.person_name


class PhotoInline(ReadOnlyTabularInline):
    """The record book's photos, as thumbnails served through the scoped photo view."""

    model = ActivityPhoto
    fields = ["preview", "uploaded_by", "uploaded_at"]
    related = ("uploaded_by",)

    @admin.display(description=_("照片"))
    def preview(self, photo):
        full = reverse("activity_photo", args=[photo.activity_id, photo.pk, "full"])
        thumb = reverse("activity_photo", args=[photo.activity_id, photo.pk, "thumb"])
        return format_html('<a href="{}" target="_blank"><img src="{}" alt="" width="120"></a>', full, thumb)


class ActivityAdminForm(forms.ModelForm):
    """The activity as the worker pages check it: a clash at the venue is named on the form."""

    class Meta:
        model = Activity
        fields = "__all__"  # noqa: DJ007 - the admin lays the fields out; read-only ones are dropped there

    def _post_clean(self):
        super()._post_clean()  # the instance now holds the form's values
        if not self.errors:
            try:
                check_venue_free(self.instance)
            except ValidationError as error:
                self.add_error(None, error)


@admin.register(Activity)
class ActivityAdmin(MonthRecordAdmin, ScopedHistoryAdmin):
    form = ActivityAdminForm
    list_display = ["title", "kind", "community", "venue", "starts_at", "status", "sign_in_count"]
    list_filter = [StreetFilter, "kind", "status"]
    list_select_related = ["community", "venue", "venue__community"]
    search_fields = ["title", "community__name"]
    autocomplete_fields = ["community", "venue", "organiser_branch"]
    readonly_fields = ["created_by", "created_at"]
    inlines = [SignInInline, PhotoInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(sign_in_total=rows_counted(SignIn, "activity"))

    @admin.display(description=_("签到人数"))  # not sortable: sorting by it would count every activity
    def sign_in_count(self, activity):
        return activity.sign_in_total

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        save_activity(activity=obj, by=request.user)  # the worker pages' service: clash, bounds, race


class SignInAdminForm(forms.ModelForm):
    """A sign-in added in the admin (a paper book typed in) passes the worker pages' rules."""

    class Meta:
        model = SignIn
        fields = ["activity", "cadre", "walk_in_name", "method"]

    def clean(self):
        cleaned = super().clean()
        activity, cadre = cleaned.get("activity"), cleaned.get("cadre")
        if activity is not None and not self.errors:
            try:
                check_sign_in(activity=activity, cadre=cadre, walk_in_name=cleaned.get("walk_in_name") or "")
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(SignIn)
class SignInAdmin(MonthRecordAdmin, ScopedHistoryAdmin):
    list_display = ["person_name", "activity", "method", "signed_at"]
    list_filter = ["method"]
    linked_lookups = ("activity__id__exact",)  # the activity page's "查看全部"
    list_select_related = ["cadre", "activity"]
    search_fields = ["cadre__name", "walk_in_name", "activity__title"]
    autocomplete_fields = ["activity", "cadre"]
    readonly_fields = ["signed_at", "signed_by"]
    form = SignInAdminForm

    @admin.display(description=_("姓名"))
    def person_name(self, sign_in):
        return sign_in.person_name

    def has_change_permission(self, request, obj=None):
        return False  # a line of the book is added or removed (undo), never rewritten

    def save_model(self, request, obj, form, change):
        sign_in, _created = record_sign_in(
            activity=obj.activity,
            cadre=obj.cadre,
            walk_in_name=obj.walk_in_name,
            by=request.user,
            method=obj.method or SignIn.Method.PAPER,
        )
        # the admin goes on with ``obj`` (its log entry, the redirect): make it the line that was kept
        obj.pk, obj.signed_at, obj.signed_by_id = sign_in.pk, sign_in.signed_at, sign_in.signed_by_id
        obj._state.adding = False

    def delete_model(self, request, obj):
        undo_sign_in(sign_in=obj)  # the worker's undo: the same lock, the same audit of the book


from activities import admin_lists  # noqa: E402,F401  (three lists and time bank: registered there)
