"""Writing the audit trail: one function every screen, command and job calls.

The rows are ``communities.AuditEvent``; this bottom-layer module reaches the model through the app
registry, never by import, so every app can audit without importing an app above core.
"""

from django.apps import apps
from django.conf import settings

from core.privacy import masked_for_audit

# 等保 2.0 asks for audit records kept at least six months; nothing purges younger rows
AUDIT_RETENTION_DAYS = 180


def client_ip(request):
    """The client's address, trusting X-Forwarded-For only behind the configured number of proxies."""
    if request is None:
        return None
    proxies = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def record_event(*, kind, request=None, user=None, username="", rows=None, target="", **detail):
    """Write one audit row; who and from where are read off the request when there is one.

    Whatever was typed (a search, a login name, filters) is kept with personal numbers masked: the audit
    trail must not become a second copy of the ID and phone numbers it protects.
    """
    if user is None and request is not None and request.user.is_authenticated:
        user = request.user
    return apps.get_model("communities", "AuditEvent").objects.create(
        kind=kind,
        user=user if user is not None and user.pk else None,
        username=masked_for_audit(username or (user.get_username() if user is not None else ""))[:150],
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""),
        rows=rows,
        target=target,
        detail=masked_for_audit(detail),
    )
