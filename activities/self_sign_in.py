"""QR self sign-in: a signed link per activity, open from an hour before it starts to two hours after it ends."""

import datetime

import segno
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity

SALT = "activities.self-sign-in"
OPENS_BEFORE = datetime.timedelta(hours=1)
CLOSES_AFTER = datetime.timedelta(hours=2)


def token_for(activity: Activity) -> str:
    """The signed token in an activity's QR link (it cannot be guessed from the activity's number)."""
    return signing.dumps({"a": activity.pk}, salt=SALT, compress=True)


def activity_for_token(token: str):
    """The activity a token names, or None for a forged or damaged one."""
    try:
        return Activity.objects.select_related("community").get(pk=signing.loads(token, salt=SALT)["a"])
    except (signing.BadSignature, KeyError, TypeError, Activity.DoesNotExist):
        return None


def window(activity: Activity) -> tuple[datetime.datetime, datetime.datetime]:
    return activity.starts_at - OPENS_BEFORE, activity.ends_at + CLOSES_AFTER


def is_open(activity: Activity, now=None) -> bool:
    opens, closes = window(activity)
    return activity.status != Activity.Status.CANCELLED and opens <= (now or timezone.now()) <= closes


def qr_svg(request, activity: Activity) -> str:
    """The QR code of the activity's self sign-in link, as inline SVG (drawn by the portal, no outside service)."""
    url = request.build_absolute_uri(reverse("self_sign_in", args=[token_for(activity)]))
    return segno.make(url, error="m").svg_inline(scale=6, border=2)


def allow_attempt(*, activity_id: int, ip: str) -> bool:
    """Count an attempt against the per-IP and per-activity limits; False once either is spent."""
    window_seconds = settings.SELF_SIGN_IN_WINDOW_SECONDS
    allowed = True
    for key, limit in (
        (f"self-sign-in:ip:{ip}", settings.SELF_SIGN_IN_ATTEMPTS_PER_IP),
        (f"self-sign-in:activity:{activity_id}", settings.SELF_SIGN_IN_ATTEMPTS_PER_ACTIVITY),
    ):
        cache.add(key, 0, window_seconds)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window_seconds)
            count = 1
        allowed = allowed and count <= limit
    return allowed
