"""Who may open which page: one table of roles → pages, applied to every request by one middleware.

A page (a named URL outside the admin and the account pages) that is not in the table is
refused to everyone: a new view is closed until someone writes down who may open it. What a
page shows is then limited by scope (``for_user``); the admin gates itself by model permissions,
which ``accounts/roles.py`` grants per role; the account pages serve one's own account.
"""

from typing import Any

from django.shortcuts import render
from django.urls import ResolverMatch

from accounts.models import Role, roles_of

STAFF = frozenset({Role.BUREAU, Role.STREET, Role.COMMUNITY})  # the roster's people in scope
ADMINS_AND_LEADERS = frozenset({Role.BUREAU, Role.STREET, Role.LEADER})  # figures of a scope
WORKER = frozenset({Role.COMMUNITY})
ANY_ROLE = frozenset(Role)

# url name -> roles that may open it
PAGE_ROLES: dict[str, frozenset] = {
    "home": ANY_ROLE,
    # the community worker's phone pages
    "worker_home": WORKER,
    **dict.fromkeys(
        [
            "venue_list",
            "venue_schedule",
            "series_new",
            "activity_new",
            "activity_edit",
            "activity_cancel",
            "activity_restore",
            "activity_book_updates",
            "activity_record_draft",
            "cadre_file",
            "activity_detail",
            "activity_search",
            "activity_sign_in",
            "activity_undo",
            "sign_in_roster",
            "sign_in_sync",
            "activity_print",
            "activity_screen",
            "activity_record",
            "activity_photo_upload",
            "activity_credit_hours",
            "cadre_pick",
            "need_list",
            "need_new",
            "need_detail",
            "need_match",
            "need_finish",
            "resource_list",
            "project_list",
            "talent_list",
            "care_list",
            "visit_new",
            "cadre_attendance",
            "timebank",
            "member_list",
            "member_list_named",
            "member_list_xlsx",
            "register_member",
            "mobile_new",
            "mobile_contact",
            "mobile_returned",
            "room_request_accept",
            "room_request_decline",
        ],
        WORKER,
    ),
    # shared rooms: units ask, communities answer; the unit staff's home
    "room_finder": WORKER | {Role.UNIT},
    "room_requests": WORKER | {Role.UNIT},
    **dict.fromkeys(["unit_home", "room_request_new", "room_request_withdraw"], frozenset({Role.UNIT})),
    # 送学上门: a branch's absences are followed up by its own organisation (a community, or a unit)
    **dict.fromkeys(["absence_list", "follow_up_new"], WORKER | {Role.UNIT}),
    # a branch's books and archive: staff of the scope and the staff of the unit that owns the branch
    **dict.fromkeys(["branch_month_print", "branch_archive", "branch_archive_xlsx"], STAFF | {Role.UNIT}),
    # photos, statements and ledger workbooks carry names and records:
    # staff of the scope; leaders read figures instead
    **dict.fromkeys(
        [
            "timebank_statement",
            "activity_photo",
            "ledger_download",
        ],
        STAFF,
    ),
    # figures of a scope
    **dict.fromkeys(["dashboard", "branch_rule", "dashboard_chart", "reminders"], ADMINS_AND_LEADERS),
    "ledger_list": STAFF | {Role.LEADER},
    # a month's ledger up the hierarchy: staff act as their role allows, leaders read
    **dict.fromkeys(["approval_list", "approval_detail"], STAFF | {Role.LEADER}),
    **dict.fromkeys(["scorecard", "scorecard_xlsx"], ADMINS_AND_LEADERS),
}

# pages that show figures and nobody's personal data (the leader's pages): a page not named here shows
# people — names, where they live, their health or their records — or exports them
FIGURE_PAGES = frozenset(
    {
        "home",
        "dashboard",
        "branch_rule",
        "dashboard_chart",
        "reminders",
        "ledger_list",
        "approval_list",
        "approval_detail",
        "scorecard",
        "scorecard_xlsx",
    }
)


def reads_personal_data(role: str) -> bool:
    """Whether ``role`` can list or export people: it works in the admin (the roster, accounts, the audit
    trail), or it may open a page that is not a figures page. This decides the second factor
    (``accounts.services.needs_two_factor``): by what a role can reach, never by its model permissions."""
    from accounts.models import ADMIN_ROLES

    if role in ADMIN_ROLES:
        return True
    return any(role in roles and name not in FIGURE_PAGES for name, roles in PAGE_ROLES.items())


# pages and prints that list people with where they live, their health or their contacts: every opening is
# in the audit trail (who, which page, which object, the query), like the exports and downloads are, which
# audit themselves with their row counts
WHEREABOUTS_PAGES = frozenset(
    {
        "cadre_file",  # 一人一档: home, health, care and visits
        "care_list",  # care cases: health and care reasons
        "visit_new",  # a person's care details before a visit
        "absence_list",  # 送学上门: who to visit at home
        "follow_up_new",
        "member_list",
        "member_list_named",  # mobile members and where they are, the unregistered, the homeless
        "mobile_contact",
        "unit_home",  # a unit's retirees wherever they live
        "activity_print",  # a printed sign-in book
        "branch_month_print",
    }
)


def audit_reading(request: Any, response: Any) -> None:
    """Record the opening of a page in ``WHEREABOUTS_PAGES`` (an answered GET, not a refusal)."""
    match = request.resolver_match
    if match is None or match.url_name not in WHEREABOUTS_PAGES or response.status_code != 200:
        return
    if request.method != "GET" or not request.user.is_authenticated:
        return
    from django.apps import apps

    from core.audit import record_event
    from core.privacy import HEALTH_PERMISSION, IDENTITY_PERMISSION

    record_event(
        kind=apps.get_model("communities", "AuditEvent").Kind.SENSITIVE_VIEW,
        request=request,
        what=match.url_name,
        **{key: str(value) for key, value in match.kwargs.items()},
        query=request.META.get("QUERY_STRING", "")[:200],
        identity=request.user.has_perm(IDENTITY_PERMISSION),
        health=request.user.has_perm(HEALTH_PERMISSION),
    )


# pages anyone may open, logged in or not (the view itself reveals nobody)
PUBLIC_PAGES = frozenset(
    {"self_sign_in", "healthz", "set_language", "service_worker", "room_screen", "room_screen_count"}
)

# these namespaces and url-name prefixes gate themselves: the admin by permissions, allauth
# by the account it serves (one's own)
SELF_GATED_NAMESPACES = frozenset({"admin"})
SELF_GATED_PREFIXES = ("account_", "mfa_")


def may_open(user: Any, url_name: str) -> bool:
    """Whether ``user`` may open the page named ``url_name`` (superusers may open every page)."""
    if url_name in PUBLIC_PAGES:
        return True
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return bool(roles_of(user) & PAGE_ROLES.get(url_name, frozenset()))


def is_self_gated(match: ResolverMatch) -> bool:
    return bool(set(match.namespaces) & SELF_GATED_NAMESPACES) or (match.url_name or "").startswith(SELF_GATED_PREFIXES)


class RoleGateMiddleware:
    """Refuse (403, with the reason) a page whose role the account does not hold; unknown pages to all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        audit_reading(request, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or is_self_gated(match):
            return None
        if not request.user.is_authenticated and match.url_name not in PUBLIC_PAGES:
            return None  # LoginRequiredMiddleware sends the visitor to the login page
        if may_open(request.user, match.url_name or ""):
            return None
        if not roles_of(request.user):
            return render(request, "portal/no_role.html", status=403)  # an account not yet given a role
        return render(request, "403.html", {"reason": "role"}, status=403)
