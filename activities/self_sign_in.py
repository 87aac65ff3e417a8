"""QR self sign-in: a signed link per activity, open from an hour before it starts to two hours after it ends."""

import datetime
import hashlib
import math
import time

import segno
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from cadres.selectors import self_sign_in_name

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


# Only failures count, and only failures slow anyone down. On a community room's shared Wi-Fi every elder
# has the same address, and a room of 40 people signing in must never be refused. What the limits stop is
# guessing the 4 digits:
# - one name may fail a few times in an activity (then that name waits out the window: its digits are
#   what is being guessed; the worker signs the person in);
# - past a few dozen failures from one address, each further try from it waits, longer with every failure
#   (1 s, 2 s, 4 s … at most a minute) — a guesser is slowed to a crawl, a person whose details are right
#   waits seconds, never ten minutes;
# - past a hundred failures in the activity from anywhere, every address waits a few seconds between tries.
# The name is counted as it is looked up (``cadres.selectors.self_sign_in_name``): 「赵 兰松」, 「赵兰 松」
# and 「赵　兰松」 are one name.
def _keys(*, activity_id: int, ip: str, name: str) -> dict[str, str]:
    person = hashlib.sha256(f"{activity_id}:{self_sign_in_name(name)}".encode()).hexdigest()[:24]
    return {
        "person": f"self-sign-in:fail:person:{person}",
        "ip": f"self-sign-in:fail:ip:{activity_id}:{ip}",
        "activity": f"self-sign-in:fail:activity:{activity_id}",
        "last": f"self-sign-in:last:{activity_id}:{ip}",
    }


def wait_before_try(*, activity_id: int, ip: str, name: str) -> int | None:
    """Seconds this try must wait (0: go on), or None when the name has failed too often to try again."""
    keys = _keys(activity_id=activity_id, ip=ip, name=name)
    found = cache.get_many(list(keys.values()))
    if found.get(keys["person"], 0) >= settings.SELF_SIGN_IN_FAILURES_PER_PERSON:
        return None
    spacing = 0.0
    over_ip = found.get(keys["ip"], 0) - settings.SELF_SIGN_IN_FAILURES_PER_IP
    if over_ip >= 0:
        spacing = min(2.0**over_ip, settings.SELF_SIGN_IN_MAX_WAIT_SECONDS)
    if found.get(keys["activity"], 0) >= settings.SELF_SIGN_IN_FAILURES_PER_ACTIVITY:
        spacing = max(spacing, settings.SELF_SIGN_IN_BUSY_SPACING_SECONDS)
    last = found.get(keys["last"])
    if spacing and last is not None:
        left = spacing - (time.time() - last)
        if left > 0:
            return math.ceil(left)
    return 0


def note_try(*, activity_id: int, ip: str, name: str) -> None:
    """A try that was let through: the next one from this address is spaced from it."""
    key = _keys(activity_id=activity_id, ip=ip, name=name)["last"]
    cache.set(key, time.time(), settings.SELF_SIGN_IN_WINDOW_SECONDS)


def count_failure(*, activity_id: int, ip: str, name: str) -> None:
    """A name and digits that matched nobody: counted against the name, the address and the activity."""
    window_seconds = settings.SELF_SIGN_IN_WINDOW_SECONDS
    keys = _keys(activity_id=activity_id, ip=ip, name=name)
    for kind in ("person", "ip", "activity"):
        cache.add(keys[kind], 0, window_seconds)
        try:
            cache.incr(keys[kind])
        except ValueError:  # expired between add and incr
            cache.set(keys[kind], 1, window_seconds)
