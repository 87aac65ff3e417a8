from django.urls import path

from activities import views

urlpatterns = [
    path("venues/", views.venue_list, name="venue_list"),
    path("venues/<int:pk>/", views.venue_schedule, name="venue_schedule"),
    path("series/new/", views.series_new, name="series_new"),
    path("books/branch/<int:branch_pk>/<str:month>/", views.branch_month_print, name="branch_month_print"),
    path("activities/<int:pk>/cancel/", views.activity_cancel, name="activity_cancel"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/search/", views.activity_search, name="activity_search"),
    path("activities/<int:pk>/sign-in/", views.activity_sign_in, name="activity_sign_in"),
    path("activities/<int:pk>/sign-ins/<int:sign_in_pk>/undo/", views.activity_undo, name="activity_undo"),
    path("activities/<int:pk>/print/", views.activity_print, name="activity_print"),
    path("activities/<int:pk>/record/", views.activity_record, name="activity_record"),
    path("activities/<int:pk>/photos/", views.activity_photo_upload, name="activity_photo_upload"),
    path(
        "activities/<int:pk>/photos/<int:photo_pk>/<str:size>.jpg",
        views.activity_photo,
        name="activity_photo",
    ),
]
