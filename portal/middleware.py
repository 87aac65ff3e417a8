"""Cross-cutting request handling: Chinese first, and the account policy on every request."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

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

        from portal.models import StaffProfile

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
        from portal.accounts import has_two_factor, needs_two_factor

        if not needs_two_factor(request.user):
            return False
        if has_two_factor(request.user):
            request.session["portal_mfa_enrolled"] = True
            return False
        return True


class ChineseFirstLocaleMiddleware:
    """Pages are in Chinese unless the user chose another language (the language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, and a cadre's phone
    set to English would get English pages; here the choice is the user's, made on the page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = dict(settings.LANGUAGES)
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


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
        return super().handle_no_permission(request, view_func)


class PrivateResponsesMiddleware:
    """Pages and downloads served to an account hold personal data: no shared or browser cache keeps them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return response
        response.headers["Cache-Control"] = "no-store, private"
        patch_vary_headers(response, ("Cookie",))
        return response


class RequestSizeLimitMiddleware:
    """A request body over ``MAX_REQUEST_BYTES`` is refused (413) before Django reads it to disk."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            from django.shortcuts import render

            return render(request, "413.html", {"max_mb": settings.MAX_REQUEST_BYTES // 1048576}, status=413)
        return self.get_response(request)
