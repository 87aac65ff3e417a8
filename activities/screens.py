"""The room's screen (大屏) runs on a display grant, never on a worker's session.

The liaison issues a grant for one activity from its sign-in page and opens the link it gives on the
room's PC (or scans its QR there). The screen shows the activity's QR, the count and the time, and links
nowhere. A grant ends with the activity's sign-in window or when the liaison takes it back; the screen
then says so and stops asking. Issuing and taking back are in the audit trail.
"""

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity, ScreenGrant
from activities.self_sign_in import window
from communities.models import AuditEvent
from core.audit import record_event


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def issue_grant(*, activity: Activity, by, request=None) -> str:
    """A new grant for ``activity``'s screen; returns the link's secret (shown once, kept only as a hash)."""
    _opens, closes = window(activity)
    if activity.status == Activity.Status.CANCELLED:
        raise ValidationError(_("这次活动已取消，不需要大屏。"))
    if closes <= timezone.now():
        raise ValidationError(_("这次活动的签到时间已过，不能再开大屏。"))
    secret = secrets.token_urlsafe(24)
    grant = ScreenGrant.objects.create(activity=activity, secret_hash=_hash(secret), issued_by=by, expires_at=closes)
    record_event(kind=AuditEvent.Kind.SCREEN_GRANT, request=request, user=by, activity=activity.pk, grant=grant.pk)
    return secret


def grant_for(secret: str) -> ScreenGrant | None:
    """The grant a link names, while it holds (not taken back, not past its activity's window)."""
    if not secret or len(secret) > 64:
        return None
    return (
        ScreenGrant.objects.select_related("activity", "activity__venue")
        .filter(secret_hash=_hash(secret), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


def live_grants(activity: Activity):
    return activity.screen_grants.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


@transaction.atomic
def revoke_grants(*, activity: Activity, by, request=None) -> int:
    """Take back every screen of ``activity``; the screens say so at their next refresh."""
    taken = live_grants(activity).update(revoked_at=timezone.now())
    if taken:
        record_event(kind=AuditEvent.Kind.SCREEN_GRANT, request=request, user=by, activity=activity.pk, revoked=taken)
    return taken
