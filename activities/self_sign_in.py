"""QR self sign-in: a signed link per activity, open from an hour before it starts to two hours after it ends."""

import datetime
import hashlib

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


def svg_of(url: str, *, scale: int = 6, fit: bool = False) -> str:
    """A QR code of ``url`` as inline SVG (drawn by the portal, no outside service); ``fit``: no fixed size,
    so the page's style sizes it (the room's screen)."""
    return segno.make(url, error="m").svg_inline(scale=scale, border=2, omitsize=fit)


def qr_svg(request, activity: Activity, *, fit: bool = False) -> str:
    """The QR code of the activity's self sign-in link."""
    return svg_of(request.build_absolute_uri(reverse("self_sign_in", args=[token_for(activity)])), fit=fit)


# Only failures count: on a community room's shared Wi-Fi every elder has the same address, and a room
# of 40 people signing in must never be refused. What the limits stop is guessing the 4 digits: a name
# may fail a few times in an activity, one phone (address) a few dozen times, an activity a hundred.
def _failure_keys(*, activity_id: int, ip: str, name: str) -> list[tuple[str, int]]:
    person = hashlib.sha256(f"{activity_id}:{name.strip()}".encode()).hexdigest()[:24]
    return [
        (f"self-sign-in:fail:person:{person}", settings.SELF_SIGN_IN_FAILURES_PER_PERSON),
        (f"self-sign-in:fail:ip:{activity_id}:{ip}", settings.SELF_SIGN_IN_FAILURES_PER_IP),
        (f"self-sign-in:fail:activity:{activity_id}", settings.SELF_SIGN_IN_FAILURES_PER_ACTIVITY),
    ]


def may_try(*, activity_id: int, ip: str, name: str) -> bool:
    """False once this name, this address or this activity has failed too often in the window."""
    keys = _failure_keys(activity_id=activity_id, ip=ip, name=name)
    counts = cache.get_many([key for key, _limit in keys])
    return all(counts.get(key, 0) < limit for key, limit in keys)


def count_failure(*, activity_id: int, ip: str, name: str) -> None:
    """A name and digits that matched nobody: counted against the person, the address and the activity."""
    window_seconds = settings.SELF_SIGN_IN_WINDOW_SECONDS
    for key, _limit in _failure_keys(activity_id=activity_id, ip=ip, name=name):
        cache.add(key, 0, window_seconds)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window_seconds)
