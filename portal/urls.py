from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from activities import views as activity_views
from portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("worker/", views.worker_home, name="worker_home"),
    path("worker/", include("activities.urls")),
    # the QR self sign-in link: short, no login (the cadre's own phone)
    path("q/<str:token>/", activity_views.self_sign_in, name="self_sign_in"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/branch-rule/", views.branch_rule, name="branch_rule"),
    path("dashboard/charts/<str:name>.xlsx", views.dashboard_chart, name="dashboard_chart"),
    path("ledgers/", views.ledger_list, name="ledger_list"),
    path("ledgers/<int:pk>/download/", views.ledger_download, name="ledger_download"),
    path("reminders/", views.reminders, name="reminders"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]

# Uploaded files are never served from a public path: each kind of file gets a view that
# checks the user's scope (photos, ledgers), so there is no MEDIA_URL route at all.
