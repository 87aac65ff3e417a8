"""Password rules beyond Django's: character classes and no reuse (等保 2.0 asks for both)."""

import re

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")


class CharacterClassesValidator:
    """At least ``min_classes`` of: lower-case letters, capitals, digits, symbols."""

    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        found = sum(1 for pattern in CLASSES if re.search(pattern, password))
        if found < self.min_classes:
            raise ValidationError(
                _("密码须包含小写字母、大写字母、数字、符号中的至少%(n)d类。") % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self):
        return _("密码须包含小写字母、大写字母、数字、符号中的至少%(n)d类。") % {"n": self.min_classes}


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with a message in our catalogue (Django's zh-Hans lacks this one)."""

    def get_error_message(self):
        return _("密码太短，至少需要%(min_length)d个字符。") % {"min_length": self.min_length}

    def get_help_text(self):
        return _("密码至少需要%(min_length)d个字符。") % {"min_length": self.min_length}


class NotRecentlyUsedValidator:
    """A new password may not be the current one nor any of the ``remember`` before it."""

    def __init__(self, remember=5):
        self.remember = remember

    def _recent_hashes(self, user):
        from accounts.models import PasswordHistory

        if user is None or not user.pk:
            return []
        from django.contrib.auth import get_user_model

        stored = get_user_model()._default_manager.filter(pk=user.pk).values_list("password", flat=True).first()
        older = PasswordHistory.objects.filter(user_id=user.pk).order_by("-created_at", "-pk")
        # the newest entry is the current password itself: the current one and `remember` before it
        return [stored, *older.values_list("password", flat=True)[: self.remember + 1]]

    def validate(self, password, user=None):
        if any(encoded and check_password(password, encoded) for encoded in self._recent_hashes(user)):
            raise ValidationError(
                _("新密码不能与当前密码或最近%(n)d次用过的密码相同。") % {"n": self.remember}, code="password_reused"
            )

    def password_changed(self, password, user=None):
        """Remember the new hash; keep only as many as are checked (and the current one)."""
        from accounts.models import PasswordHistory

        if user is None or not user.pk:
            return
        PasswordHistory.objects.create(user_id=user.pk, password=user.password)
        keep = PasswordHistory.objects.filter(user_id=user.pk).order_by("-created_at", "-pk")[: self.remember + 1]
        PasswordHistory.objects.filter(user_id=user.pk).exclude(pk__in=list(keep.values_list("pk", flat=True))).delete()

    def get_help_text(self):
        return _("新密码不能与当前密码或最近%(n)d次用过的密码相同。") % {"n": self.remember}
