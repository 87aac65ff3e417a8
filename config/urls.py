from allauth.account import urls as account_urls
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import set_language

from activities import views as activity_views
from portal import approval_views, scorecard_views, views

# allauth's account pages the portal uses; the others (sign-up, e-mail addresses, password reset by
# e-mail, login codes) answer 404 with a word on whom to ask: accounts and passwords are the system
# administrator's, and an intranet portal sends no mail
OPEN_ACCOUNT_PAGES = {
    "account_login",
    "account_logout",
    "account_inactive",
    "account_reauthenticate",
    "account_change_password",
}


def _only_open_account_pages(patterns):
    closed = login_not_required(views.account_page_closed)
    rebuilt = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            rebuilt.append(
                URLResolver(
                    pattern.pattern,
                    _only_open_account_pages(pattern.url_patterns),
                    pattern.default_kwargs,
                    pattern.app_name,
                    pattern.namespace,
                )
            )
        elif pattern.name in OPEN_ACCOUNT_PAGES:
            rebuilt.append(pattern)
        else:
            rebuilt.append(URLPattern(pattern.pattern, closed, name=pattern.name))
    return rebuilt


urlpatterns = [
    path("", views.home, name="home"),
    path("worker/", views.worker_home, name="worker_home"),
    path("worker/", include("activities.urls")),
    # the QR self sign-in link: short, no login (the cadre's own phone)
    path("q/<str:token>/", activity_views.self_sign_in, name="self_sign_in"),
    # the room's screen, on a display grant (no session): activities/screens.py
    path("screen/<str:secret>/", activity_views.room_screen, name="room_screen"),
    path("screen/<str:secret>/count/", activity_views.room_screen_count, name="room_screen_count"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/branch-rule/", views.branch_rule, name="branch_rule"),
    path("dashboard/charts/<str:name>.xlsx", views.dashboard_chart, name="dashboard_chart"),
    path("ledgers/", views.ledger_list, name="ledger_list"),
    path("ledgers/<int:pk>/download/", views.ledger_download, name="ledger_download"),
    path("ledgers/approvals/", approval_views.approval_list, name="approval_list"),
    path("ledgers/approvals/<int:community_pk>/<str:month>/", approval_views.approval_detail, name="approval_detail"),
    path("dashboard/scorecard/", scorecard_views.scorecard, name="scorecard"),
    path("dashboard/scorecard.xlsx", scorecard_views.scorecard_xlsx, name="scorecard_xlsx"),
    path("reminders/", views.reminders, name="reminders"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include(_only_open_account_pages(account_urls.urlpatterns))),
    path("accounts/2fa/", include("allauth.mfa.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]

handler400 = "portal.views.bad_request"
handler429 = "portal.views.too_many_requests"  # allauth's rate limits look this up
handler500 = "portal.views.server_error"  # 503 while the database or Redis is out of reach

# Uploaded files are never served from a public path: each kind of file gets a view that
# checks the user's scope (photos, ledgers), so there is no MEDIA_URL route at all.
