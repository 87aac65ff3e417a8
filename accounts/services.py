"""Accounts: the system administrator's changes to users, roles and scopes, each one in the audit trail.

三员分立: accounts are kept by the system administrator only, nobody changes their own
role, scope or active flag, and every change is an audit event with who, when, before
and after, which the auditor reads.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.models import ADMIN_ROLES, Role, StaffScope
from communities.models import AuditEvent
from core.audit import record_event
from core.privacy import mask_phone

# what an account change may not touch on one's own account
SELF_PROTECTED = ("is_active", "is_staff", "is_superuser", "roles", "scope")


def account_snapshot(user: Any) -> dict[str, Any]:
    """What the audit trail records of an account, before and after a change (numbers masked)."""
    scope = StaffScope.objects.filter(user_id=user.pk).select_related("street", "community").first()
    profile = getattr(user, "staff_profile", None) if user.pk else None
    return {
        "username": user.get_username(),
        "name": user.get_full_name(),
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "roles": sorted(user.groups.values_list("name", flat=True)) if user.pk else [],
        "scope": str(scope) if scope else "",
        "mobile": mask_phone(profile.mobile) if profile else "",
        "must_change_password": bool(profile and profile.must_change_password),
    }


def refuse_self_change(*, by: Any, user: Any, before: dict[str, Any], after: dict[str, Any]) -> None:
    """Nobody changes their own role, scope or active flag (an administrator would grant themselves)."""
    if by.pk != user.pk:
        return
    if any(before.get(key) != after.get(key) for key in SELF_PROTECTED):
        raise PermissionDenied(_("不能修改自己的角色、工作范围或启用状态，请由另一位系统管理员办理。"))


def staff_flag_for(roles: Iterable[str]) -> bool:
    """Admin access follows the role: the three administrators and street staff work in the admin."""
    return any(role in ADMIN_ROLES for role in roles)


def record_account_change(*, request: HttpRequest, user: Any, before: dict[str, Any] | None) -> AuditEvent | None:
    """One audit event for an account created or changed, with the fields before and after."""
    after = account_snapshot(user)
    if before is None:
        return record_event(
            kind=AuditEvent.Kind.ACCOUNT_CREATED, request=request, target=user.get_username(), after=after
        )
    changed = sorted(key for key in after if before.get(key) != after[key])
    if not changed:
        return None
    return record_event(
        kind=AuditEvent.Kind.ACCOUNT_CHANGED,
        request=request,
        target=user.get_username(),
        changed=changed,
        before={key: before.get(key) for key in changed},
        after={key: after[key] for key in changed},
    )


def record_password_reset(*, request: HttpRequest, user: Any) -> AuditEvent:
    """A password set by an administrator: a temporary one, in the audit trail."""
    return record_event(kind=AuditEvent.Kind.PASSWORD_RESET, request=request, target=user.get_username())


def unlock_account(*, request: HttpRequest, user: Any) -> None:
    """Clear the failed-login counter and lock of ``user`` (the system administrator's 解除锁定)."""
    from accounts.adapters import clear_failures

    was_locked = clear_failures(user.get_username(), unlock=True)
    record_event(kind=AuditEvent.Kind.UNLOCKED, request=request, target=user.get_username(), was_locked=was_locked)


ROLE_NAMES = [role.value for role in Role]


def two_factor_roles() -> frozenset:
    """The roles that log in with TOTP in production: every role that can list or export people
    (``accounts.gate.reads_personal_data``) — today all but the leader, who reads figures."""
    from accounts.gate import reads_personal_data

    return frozenset(role for role in Role if reads_personal_data(role))


def needs_two_factor(user: Any) -> bool:
    """Whether ``user`` must log in with TOTP (in production): superusers, every account of a role that
    can list or export people, and any account given the roster's data permissions by hand."""
    from accounts.models import roles_of
    from core.privacy import HEALTH_PERMISSION, IDENTITY_PERMISSION

    if not user.is_authenticated:
        return False
    if user.is_superuser or roles_of(user) & two_factor_roles():
        return True
    return any(user.has_perm(perm) for perm in (IDENTITY_PERMISSION, HEALTH_PERMISSION, "cadres.view_cadre"))


def has_two_factor(user: Any) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
