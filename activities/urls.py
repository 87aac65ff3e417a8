from django.urls import path

from activities import views, views_lists

urlpatterns = [
    path("venues/", views.venue_list, name="venue_list"),
    path("venues/<int:pk>/", views.venue_schedule, name="venue_schedule"),
    path("series/new/", views.series_new, name="series_new"),
    path("books/branch/<int:branch_pk>/<str:month>/", views.branch_month_print, name="branch_month_print"),
    path("branches/<int:branch_pk>/archive/", views_lists.branch_archive_page, name="branch_archive"),
    path("branches/<int:branch_pk>/archive.xlsx", views_lists.branch_archive_xlsx, name="branch_archive_xlsx"),
    path("activities/<int:pk>/cancel/", views.activity_cancel, name="activity_cancel"),
    path("activities/<int:pk>/restore/", views.activity_restore, name="activity_restore"),
    path("activities/<int:pk>/book/updates/", views.activity_book_updates, name="activity_book_updates"),
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
    path("activities/<int:pk>/credit-hours/", views_lists.activity_credit_hours, name="activity_credit_hours"),
    # the three lists, care and the time bank: the worker's daily parts
    path("cadres/pick/", views_lists.cadre_pick, name="cadre_pick"),
    path("needs/", views_lists.need_list, name="need_list"),
    path("needs/new/", views_lists.need_new, name="need_new"),
    path("needs/<int:pk>/", views_lists.need_detail, name="need_detail"),
    path("needs/<int:pk>/match/", views_lists.need_match, name="need_match"),
    path("needs/<int:pk>/<str:to>/", views_lists.need_finish, name="need_finish"),
    path("resources/", views_lists.resource_list, name="resource_list"),
    path("projects/", views_lists.project_list, name="project_list"),
    path("talents/", views_lists.talent_list, name="talent_list"),
    path("care/", views_lists.care_list, name="care_list"),
    path("visits/new/", views_lists.visit_new, name="visit_new"),
    path("timebank/", views_lists.timebank, name="timebank"),
    path("timebank/statement/<int:cadre_pk>/", views_lists.timebank_statement, name="timebank_statement"),
]
