"""allauth hooks: closed sign-up, account lockout, audit of logins, password policy state."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from communities.audit import record_event
from communities.models import AuditEvent
from communities.privacy import decrypt, encrypt
from portal.backends import user_for_mobile


def lockout_keys(login):
    """One counter per account whichever way it is named (username or mobile)."""
    user = user_for_mobile(login)
    name = user.get_username() if user is not None else (login or "").strip().lower()
    return f"portal:login-failures:{name}", f"portal:locked-until:{name}", name


def count_failure(request, login, *, kind) -> bool:
    """One failed password or TOTP code: audited, counted; the 5th locks the account. True when it locked."""
    failures_key, locked_key, name = lockout_keys(login)
    window = settings.LOGIN_LOCKOUT_MINUTES * 60
    cache.add(failures_key, 0, window)
    failures = cache.incr(failures_key)
    record_event(kind=kind, request=request, username=name, failures=failures)
    if failures < settings.LOGIN_LOCKOUT_ATTEMPTS:
        return False
    cache.set(locked_key, timezone.now() + timezone.timedelta(seconds=window), window)
    cache.delete(failures_key)
    record_event(kind=AuditEvent.Kind.LOCKOUT, request=request, username=name, minutes=window // 60)
    return True


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
        _failures, locked_key, _name = lockout_keys(credentials.get("username"))
        locked_until = cache.get(locked_key)
        if locked_until and locked_until > timezone.now():
            raise forms.ValidationError(
                _("登录失败次数过多，账号已锁定，请于%(time)s后再试，或联系管理员解锁。")
                % {"time": time_format(timezone.localtime(locked_until), "H:i")},
                code="locked",
            )
        super().pre_authenticate(request, **credentials)

    def authentication_failed(self, request, **credentials):
        count_failure(request, credentials.get("username"), kind=AuditEvent.Kind.LOGIN_FAILED)

    def login(self, request, user):
        super().login(request, user)
        failures_key, _locked, _name = lockout_keys(user.get_username())
        cache.delete(failures_key)
        record_event(kind=AuditEvent.Kind.LOGIN, request=request, user=user)

    def logout(self, request):
        if request.user.is_authenticated:
            record_event(kind=AuditEvent.Kind.LOGOUT, request=request, user=request.user)
        super().logout(request)

    def set_password(self, user, password):
        """A password the user set themselves: clears "must change" and restarts its age."""
        from portal.models import StaffProfile

        super().set_password(user, password)
        StaffProfile.objects.update_or_create(
            user=user, defaults={"must_change_password": False, "password_changed_at": timezone.now()}
        )
        record_event(kind=AuditEvent.Kind.PASSWORD_CHANGED, user=user)


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are stored encrypted with the personal-data keys."""

    def can_delete_authenticator(self, authenticator) -> bool:
        """Where TOTP is required, it cannot be switched off (a new device is set up by a reset instead)."""
        from portal.accounts import needs_two_factor

        if settings.MFA_REQUIRED and needs_two_factor(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)

    def encrypt(self, text: str) -> str:
        return encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt(encrypted_text)
