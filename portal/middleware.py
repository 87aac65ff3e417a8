"""Cross-cutting request handling: Chinese first, private responses, request size limits."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


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
