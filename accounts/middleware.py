"""The account policy on every request: a login for every page, and an account held at its policy steps."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

# pages an account may still open while it is held at a policy step
OPEN_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz")


class AccountPolicyMiddleware:
    """Hold an account at the password change or the TOTP set-up until it is done."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(OPEN_PREFIXES):
            if self._must_change_password(request):
                return redirect(f"{reverse('account_change_password')}?next={request.path}")
            if self._must_set_up_two_factor(request):
                return redirect("mfa_activate_totp")
        return self.get_response(request)

    def _must_change_password(self, request):
        from django.utils import timezone

        from accounts.models import StaffProfile

        today = timezone.localdate().isoformat()
        if request.session.get("portal_password_ok_on") == today:
            return False  # checked once a day per session, not on every page
        profile = StaffProfile.objects.filter(user=request.user).select_related("user").first()
        held = profile is not None and (
            profile.must_change_password or profile.password_expired(max_age_days=settings.PASSWORD_MAX_AGE_DAYS)
        )
        if not held:
            request.session["portal_password_ok_on"] = today
        return held

    def _must_set_up_two_factor(self, request):
        if not settings.MFA_REQUIRED or request.session.get("portal_mfa_enrolled"):
            return False
        from accounts.services import has_two_factor, needs_two_factor

        if not needs_two_factor(request.user):
            return False
        if has_two_factor(request.user):
            request.session["portal_mfa_enrolled"] = True
            return False
        return True


class PortalLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs a login; an htmx request whose session ended sends the whole page to the login.

    Following the redirect would put the login page inside a list; instead the browser is told to load
    the login page, coming back to the page the person was on (not to the fragment's URL).
    """

    def handle_no_permission(self, request, view_func):
        if request.headers.get("HX-Request"):
            page = urlsplit(request.headers.get("HX-Current-URL", "")).path or "/"
            login = redirect_to_login(page, self.get_login_url(view_func), self.get_redirect_field_name(view_func))
            # 204: nothing to swap into the list; htmx follows HX-Redirect whatever the status
            return HttpResponse(status=204, headers={"HX-Redirect": login.url})
        if request.headers.get("Accept") == "application/json":
            # the sign-in page's own fetches (its roster, its queue of taps kept offline): a word the page
            # can act on — the taps stay on the phone until the worker has logged in again
            page = _same_site_path(request, request.headers.get("Referer", "")) or "/"
            login = redirect_to_login(page, self.get_login_url(view_func), self.get_redirect_field_name(view_func))
            return JsonResponse({"login": login.url}, status=401)
        if request.method == "POST":
            # a form sent after the session ended (a record typed for half an hour): after the login the
            # person goes back to the page the form was on — the text is kept there as a draft — never to
            # the form's action (a GET there answered 405), and nothing is sent a second time
            page = _same_site_path(request, request.headers.get("Referer", "")) or "/"
            return redirect_to_login(page, self.get_login_url(view_func), self.get_redirect_field_name(view_func))
        return super().handle_no_permission(request, view_func)


def _same_site_path(request, url: str) -> str | None:
    """The path (and query) of ``url`` when it points at this site, else None."""
    parts = urlsplit(url)
    if not parts.path or (parts.netloc and parts.netloc != request.get_host()):
        return None
    return f"{parts.path}?{parts.query}" if parts.query else parts.path
