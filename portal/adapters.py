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
        failures_key, locked_key, name = lockout_keys(credentials.get("username"))
        window = settings.LOGIN_LOCKOUT_MINUTES * 60
        cache.add(failures_key, 0, window)
        failures = cache.incr(failures_key)
        record_event(kind=AuditEvent.Kind.LOGIN_FAILED, request=request, username=name, failures=failures)
        if failures >= settings.LOGIN_LOCKOUT_ATTEMPTS:
            cache.set(locked_key, timezone.now() + timezone.timedelta(seconds=window), window)
            cache.delete(failures_key)
            record_event(kind=AuditEvent.Kind.LOCKOUT, request=request, username=name, minutes=window // 60)

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

    def encrypt(self, text: str) -> str:
        return encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt(encrypted_text)
