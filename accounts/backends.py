"""Login by mobile number: the same password check, the account found by the mobile's digest."""

import re

from django.contrib.auth.backends import ModelBackend

from core.privacy import digest

MOBILE = re.compile(r"^1\d{10}$")


def user_for_mobile(login):
    """The active account whose profile holds this mobile number, or None."""
    from accounts.models import StaffProfile

    number = re.sub(r"[\s-]", "", login or "")
    if not MOBILE.match(number):
        return None
    profile = StaffProfile.objects.select_related("user").filter(mobile_digest=digest(number)).first()
    return profile.user if profile else None


class MobileNumberBackend(ModelBackend):
    """Authenticate with a mobile number in place of the username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = user_for_mobile(username)
        if user is not None and user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
