from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, ActivityPhoto, SignIn
from communities.admin_base import ReadOnlyTabularInline, ScopedHistoryAdmin, StreetFilter


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


@admin.register(Activity)
class ActivityAdmin(ScopedHistoryAdmin):
    list_display = ["title", "kind", "community", "venue", "starts_at", "status", "sign_in_count"]
    list_filter = [StreetFilter, "kind", "status"]
    list_select_related = ["community", "venue", "venue__community"]
    search_fields = ["title", "community__name"]
    autocomplete_fields = ["community", "venue", "organiser_branch"]
    readonly_fields = ["created_by", "created_at"]
    inlines = [SignInInline, PhotoInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(sign_in_total=Count("sign_ins"))

    @admin.display(description=_("签到人数"), ordering="sign_in_total")
    def sign_in_count(self, activity):
        return activity.sign_in_total

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(SignIn)
class SignInAdmin(ScopedHistoryAdmin):
    list_display = ["person_name", "activity", "method", "signed_at"]
    list_filter = ["method"]
    list_select_related = ["cadre", "activity"]
    search_fields = ["cadre__name", "walk_in_name", "activity__title"]
    autocomplete_fields = ["activity", "cadre"]
    readonly_fields = ["signed_at", "signed_by"]

    @admin.display(description=_("姓名"))
    def person_name(self, sign_in):
        return sign_in.person_name

    def save_model(self, request, obj, form, change):
        if not change:
            obj.signed_by = request.user
        super().save_model(request, obj, form, change)


from activities import admin_lists  # noqa: E402,F401  (three lists and time bank: registered there)
