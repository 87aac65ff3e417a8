"""When a session ends: after ``SESSION_IDLE_SECONDS`` in which the person did nothing, and
``SESSION_MAX_SECONDS`` after the login whatever they did (等保: 登录超时自动退出).

What counts is what a person does: opening a page, sending a form, typing a record (its draft is saved
as they type). What a page does by itself never counts: the sign-in book's poll, the room's screen,
the service worker's copies and the page's background fetches. Those are named here
(``BACKGROUND_PAGES``) or say so themselves with the header ``X-Portal-Background``; they are answered
without touching the session, so a page left open ends like any other, and its next poll hears that
the session has ended (``PortalLoginRequiredMiddleware`` answers a poll with the login page's address,
and the page says so).

The session is saved only when it changes (``SESSION_SAVE_EVERY_REQUEST = False``): a poll writes
nothing, which is also one write fewer every five seconds per open screen.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from communities.models import AuditEvent
from core.audit import record_event

# the pages a page fetches by itself (url names); a request with X-Portal-Background is one too
BACKGROUND_PAGES = frozenset(
    {"activity_book_updates", "sign_in_roster", "service_worker", "room_screen", "room_screen_count"}
)
BACKGROUND_HEADER = "X-Portal-Background"

SESSION_ENDS_HEADER = "X-Portal-Session-Ends"  # when this session ends unless the person acts (epoch ms)
# what a logout leaves on the phone: nothing (the service worker's copies, drafts, the worker's storage)
CLEAR_SITE_DATA = '"cache", "storage"'

LAST_SEEN = "portal_last_seen"  # epoch seconds of the person's last own request
LOGGED_IN_AT = "portal_logged_in_at"  # epoch seconds of the login


def is_background(request) -> bool:
    """Whether ``request`` was made by a page on its own (a poll, a prefetch), not by the person."""
    if request.headers.get(BACKGROUND_HEADER):
        return True
    try:
        name = resolve(request.path_info).url_name
    except Resolver404:
        return False
    return name in BACKGROUND_PAGES


def ends_at(session) -> float | None:
    """When the session ends if the person does nothing more (epoch seconds), or None before the clock runs."""
    last_seen, logged_in_at = session.get(LAST_SEEN), session.get(LOGGED_IN_AT)
    if last_seen is None or logged_in_at is None:
        return None
    return min(last_seen + settings.SESSION_IDLE_SECONDS, logged_in_at + settings.SESSION_MAX_SECONDS)


def ended_because(session, now: float) -> str | None:
    """Why the session has ended at ``now`` ("idle", "length"), or None while it holds."""
    logged_in_at = session.get(LOGGED_IN_AT)
    if logged_in_at is not None and now - logged_in_at > settings.SESSION_MAX_SECONDS:
        return "length"
    last_seen = session.get(LAST_SEEN)
    if last_seen is not None and now - last_seen > settings.SESSION_IDLE_SECONDS:
        return "idle"
    return None


@receiver(user_logged_in)
def _start_the_clock(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[LOGGED_IN_AT] = now
        request.session[LAST_SEEN] = now


class SessionEndsMiddleware:
    """End the session of a person who stopped, or who has been logged in too long; push the end back
    only for what the person does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._answer(request)
        if request.user.is_authenticated:
            # the service worker keeps no copy of a page past this moment (templates/activities/sw.js)
            end = ends_at(request.session)
            if end is not None:
                response[SESSION_ENDS_HEADER] = str(int(end * 1000))
        elif request.method == "POST" and request.path == reverse("account_logout"):
            # a logout empties the phone: the sign-in pages' copies, the roster, drafts (sw.js, portal.js)
            response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response

    def _answer(self, request):
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            reason = ended_because(session, now)
            if reason:
                record_event(kind=AuditEvent.Kind.LOGOUT, request=request, ended=reason)
                logout(request)
                messages.warning(request, _ENDED[reason]())
            elif not is_background(request):
                session[LAST_SEEN] = now
                session.setdefault(LOGGED_IN_AT, now)  # a session from before this rule
        return self.get_response(request)


_ENDED = {
    "idle": lambda: (
        _("已经 %(minutes)d 分钟没有操作，为保护个人信息已自动退出。请重新登录。")
        % {"minutes": settings.SESSION_IDLE_SECONDS // 60}
    ),
    "length": lambda: _("登录已满 %(hours)d 小时，请重新登录。") % {"hours": settings.SESSION_MAX_SECONDS // 3600},
}
