"""allauth hooks: closed sign-up, account lockout, audit of logins, password policy state."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django import forms
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from accounts.backends import user_for_mobile
from communities.models import AuditEvent
from core.audit import record_event
from core.privacy import decrypt, encrypt


def account_name(login) -> str:
    """One counter per account whichever way it is named (username or mobile)."""
    user = user_for_mobile(login)
    return user.get_username() if user is not None else (login or "").strip().lower()[:150]


def locked_until(login):
    """When the account's lock ends, or None when it is not locked."""
    from accounts.models import LoginThrottle

    until = LoginThrottle.objects.filter(name=account_name(login)).values_list("locked_until", flat=True).first()
    return until if until and until > timezone.now() else None


def count_failure(request, login, *, kind) -> bool:
    """One wrong password or TOTP code: audited, counted; the 5th in the window locks. True when it locked.

    Only wrong credentials come here (allauth calls it when the check said no): an outage that makes
    the check itself fail is an error page, never a failure counted against the person.
    """
    from accounts.models import LoginThrottle

    name = account_name(login)
    now = timezone.now()
    window = timezone.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    with transaction.atomic():
        throttle, _created = LoginThrottle.objects.select_for_update().get_or_create(name=name)
        if now - throttle.window_started_at > window:
            throttle.failures, throttle.window_started_at = 0, now
        throttle.failures += 1
        failures = throttle.failures
        locked = failures >= settings.LOGIN_LOCKOUT_ATTEMPTS
        if locked:
            throttle.locked_until, throttle.failures, throttle.window_started_at = now + window, 0, now
        throttle.save()
    record_event(kind=kind, request=request, username=name, failures=failures)
    if locked:
        record_event(
            kind=AuditEvent.Kind.LOCKOUT, request=request, username=name, minutes=settings.LOGIN_LOCKOUT_MINUTES
        )
    return locked


def clear_failures(login, *, unlock=False) -> bool:
    """Forget the failures (a successful login); ``unlock`` lifts a lock too. True when a lock was lifted."""
    from accounts.models import LoginThrottle

    was_locked = locked_until(login) is not None
    changes = {"failures": 0, **({"locked_until": None} if unlock else {})}
    LoginThrottle.objects.filter(name=account_name(login)).update(**changes)
    return was_locked and unlock


def two_factor_failed(sender, request, user, **kwargs):
    """A wrong TOTP or recovery code (allauth.mfa's signal): audited and counted like a wrong password.

    When it locks the account, the half-finished login is dropped: the next code goes nowhere.
    """
    if count_failure(request, user.get_username(), kind=AuditEvent.Kind.MFA_FAILED) and request is not None:
        from allauth.account.internal.stagekit import clear_login

        clear_login(request)


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by the bureau; nobody signs themselves up."""

    def is_open_for_signup(self, request):
        return False

    def pre_authenticate(self, request, **credentials):
        until = locked_until(credentials.get("username"))
        if until is not None:
            raise forms.ValidationError(
                _("登录失败次数过多，账号已锁定，请于%(time)s后再试，或联系管理员解锁。")
                % {"time": time_format(timezone.localtime(until), "H:i")},
                code="locked",
            )
        super().pre_authenticate(request, **credentials)

    def authentication_failed(self, request, **credentials):
        count_failure(request, credentials.get("username"), kind=AuditEvent.Kind.LOGIN_FAILED)

    def login(self, request, user):
        super().login(request, user)
        clear_failures(user.get_username())
        record_event(kind=AuditEvent.Kind.LOGIN, request=request, user=user)

    def logout(self, request):
        if request.user.is_authenticated:
            record_event(kind=AuditEvent.Kind.LOGOUT, request=request, user=request.user)
        super().logout(request)

    def set_password(self, user, password):
        """A password the user set themselves: clears "must change" and restarts its age."""
        from accounts.models import StaffProfile

        super().set_password(user, password)
        StaffProfile.objects.update_or_create(
            user=user, defaults={"must_change_password": False, "password_changed_at": timezone.now()}
        )
        record_event(kind=AuditEvent.Kind.PASSWORD_CHANGED, user=user)


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are stored encrypted with the personal-data keys."""

    def can_delete_authenticator(self, authenticator) -> bool:
        """Where TOTP is required, it cannot be switched off (a new device is set up by a reset instead)."""
        from accounts.services import needs_two_factor

        if settings.MFA_REQUIRED and needs_two_factor(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)

    def encrypt(self, text: str) -> str:
        return encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt(encrypted_text)
