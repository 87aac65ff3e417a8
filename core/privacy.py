"""Personal data at rest and on screen (PIPL; 等保 2.0 level 3 confidentiality).

Sensitive values are stored as Fernet tokens (``cryptography``), written and read
by the two field classes below. They keep no state between calls: a value that
fails validation, a form that is re-displayed, a row that cannot be decrypted —
none of them changes how the next value is handled. Beside an encrypted value
the model keeps what it needs to find it without decrypting: a keyed digest for
exact lookup and uniqueness, and for phones the last 4 digits.

Keys: every salt of ``FIELD_ENCRYPTION_KEYS`` combined with ``SECRET_KEY`` (and
each of ``SECRET_KEY_FALLBACKS``) gives one Fernet key (PBKDF2-SHA256). The
first encrypts; all decrypt. ``manage.py rotate_encryption`` re-encrypts every
stored value with the first key, after which the old ones can be dropped.
"""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import hmac
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from django.conf import settings
from django.db import models

if TYPE_CHECKING:
    from core.scope import Account


class DecryptionError(Exception):
    """A stored value that none of the configured keys opens: a key is missing from the settings."""


@functools.lru_cache(maxsize=4)
def _fernet(secret_keys: tuple[str, ...], salts: tuple[str, ...]) -> MultiFernet:
    keys = []
    for secret_key in secret_keys:
        for salt in salts:
            kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt.encode(), iterations=100_000)
            keys.append(Fernet(base64.urlsafe_b64encode(kdf.derive(secret_key.encode()))))
    return MultiFernet(keys)


def field_cipher() -> MultiFernet:
    """The keys in force: the first encrypts, every one decrypts (derived once per process and key set)."""
    salts = settings.FIELD_ENCRYPTION_KEYS
    salts = [salts] if isinstance(salts, str) else list(salts)
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return _fernet(tuple(secrets), tuple(salts))


def encrypt(text: str) -> str:
    """A Fernet token of ``text`` under the current first key."""
    return field_cipher().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    """The text of a token written under any configured key; a token no key opens is an error, never shown."""
    try:
        return field_cipher().decrypt(token.encode()).decode()
    except (InvalidToken, UnicodeError) as error:
        raise DecryptionError("stored value cannot be decrypted with the configured FIELD_ENCRYPTION_KEYS") from error


def reencrypt(token: str) -> str:
    """The same value under the first key (key rotation); the text never leaves this function."""
    return field_cipher().rotate(token.encode()).decode()


class _EncryptedField(models.Field):
    """Stores ``str`` values as Fernet tokens in a text column; Python only ever holds the clear value.

    Empty stays empty (no token), so blank fields stay NOT NULL and read back as "". Lookups on the
    column compare tokens and find nothing: search through a digest or tail field instead.
    """

    def get_internal_type(self):
        return "TextField"

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return None if self.null else ""
        return encrypt(str(value))

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return None if self.null else ""
        return decrypt(value)


class EncryptedChar(_EncryptedField, models.CharField):
    """A short personal value (ID number, phone), encrypted at rest; ``max_length`` bounds the clear value."""


class EncryptedText(_EncryptedField, models.TextField):
    """A longer personal note (health, care), encrypted at rest."""


def encrypted_fields(model: type[models.Model]) -> list[str]:
    """Names of the encrypted columns of ``model``."""
    return [field.name for field in model._meta.concrete_fields if isinstance(field, _EncryptedField)]


def digest(value: str) -> str:
    """Keyed SHA-256 digest of a normalised value: lookups and uniqueness without decrypting."""
    if not value:
        return ""
    key = settings.PERSONAL_DATA_HASH_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class DigestField(models.CharField):
    """Keeps the keyed digest of another field of the same row, computed on every save and bulk insert."""

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = digest(getattr(model_instance, self.source) or "") or None
        setattr(model_instance, self.attname, value)
        return value


class TailField(models.CharField):
    """Keeps the last digits of another field (a phone's last 4, for the worker's search)."""

    def __init__(self, *args: Any, source: str = "", digits: int = 4, **kwargs: Any) -> None:
        self.source = source
        self.digits = digits
        kwargs.setdefault("max_length", digits)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, digits=self.digits)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        raw = "".join(ch for ch in (getattr(model_instance, self.source) or "") if ch.isdigit())
        value = raw[-self.digits :] if len(raw) >= self.digits else ""
        setattr(model_instance, self.attname, value)
        return value


def mask_id_number(value: str) -> str:
    """3701**************: the province and city (first 4) only.

    Whoever lacks ``view_identity`` also sees the birth date only to the month (``birth_month``) and the
    gender: with the district guessed from the community, a month of birth days times the 500 sequence
    numbers of one gender leaves at least 14,000 possible numbers (PIPL de-identification; README).
    Showing the last digits as well would bring that down to a handful.
    """
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 4)


def birth_month(born: datetime.date | None) -> str:
    """1948-03: the birth date as far as a role without ``view_identity`` may see it."""
    return f"{born:%Y-%m}" if born else ""


def age_by_month(born: datetime.date | None, on: datetime.date) -> int | None:
    """Age from the year and month of birth only (a birthday later in the month counts from its first day).

    What a role without ``view_identity`` sees: an age counted to the day would give the birth day away
    on the day it changes.
    """
    if not born:
        return None
    return on.year - born.year - (on.month < born.month)


def mask_phone(value: str) -> str:
    """138****5678."""
    digits = (value or "").strip()
    if not digits:
        return ""
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


IDENTITY_PERMISSION = "cadres.view_identity"  # full ID and phone numbers
HEALTH_PERMISSION = "cadres.view_health"  # health and care details


def can_see_identity(user: Account) -> bool:
    return user.is_authenticated and user.has_perm(IDENTITY_PERMISSION)


def can_see_health(user: Account) -> bool:
    return user.is_authenticated and user.has_perm(HEALTH_PERMISSION)


# how a sensitive field reads to someone without its permission; a field not named here is not shown at all
MASKS: dict[str, Callable[[Any], str]] = {"id": mask_id_number, "phone": mask_phone, "month": birth_month}
FULL, MASKED, HIDDEN = "full", "masked", "hidden"


def field_view(user: Account | None, model: type[models.Model], field_name: str) -> str:
    """How ``user`` sees one field of ``model``: in full, masked, or not at all — the one rule, read from the
    model's own declaration (``SENSITIVE_FIELDS``: the permission; ``MASKED_FIELDS``: the mask without it).
    The admin (display, edit, list), the exports, the worker's pages, ledgers and archives ask it.
    ``user`` None: the server's own command line, in full."""
    permission = sensitive_permission(model, field_name)
    if permission is None or user is None or (user.is_authenticated and user.has_perm(permission)):
        return FULL
    return MASKED if field_name in getattr(model, "MASKED_FIELDS", {}) else HIDDEN


def shown(user: Account | None, instance: models.Model, field_name: str) -> object:
    """The value of ``instance.field_name`` as ``user`` may see it ("" when hidden)."""
    value = getattr(instance, field_name)
    view = field_view(user, type(instance), field_name)
    if view == FULL:
        return value
    if view == MASKED:
        return masked(instance, field_name)
    return ""


def masked(instance: models.Model, field_name: str) -> str:
    """The field as it reads without its permission (``MASKED_FIELDS``)."""
    mask = MASKS[getattr(type(instance), "MASKED_FIELDS", {})[field_name]]
    return mask(getattr(instance, field_name))


def sensitive_permission(model: type[models.Model], field_name: str) -> str | None:
    """The permission a field needs to be seen, filtered or searched on (the model's ``SENSITIVE_FIELDS``)."""
    return getattr(model, "SENSITIVE_FIELDS", {}).get(field_name)


def may_look_up(user: Account, model: type[models.Model], lookup: str) -> bool:
    """Whether ``user`` may filter by ``lookup`` (``reason_illness__exact``, ``cadre__health``...).

    Every field on the path counts: following a relation to a sensitive field needs its permission too.
    """
    from django.core.exceptions import FieldDoesNotExist
    from django.db.models.constants import LOOKUP_SEP

    for part in lookup.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return True  # a transform or lookup name (exact, year…): the field before it was checked
        permission = sensitive_permission(model, part)
        if permission and not user.has_perm(permission):
            return False
        if not field.is_relation:
            return True
        if field.related_model is None or isinstance(field.related_model, str):
            return True
        model = field.related_model
    return True


_NUMBER_RUN = re.compile(r"(?<![\dA-Za-z])\d[\d \-]{5,}[\dXx](?![\dA-Za-z])")


def mask_numbers_in(text: str) -> str:
    """``text`` with every run of 7 or more digits (an ID or phone number typed into a search) masked."""

    def mask(match):
        digits = re.sub(r"[ \-]", "", match.group(0))
        if len(digits) < 7:
            return match.group(0)
        return digits[:3] + "*" * (len(digits) - 3)

    return _NUMBER_RUN.sub(mask, text)


def masked_for_audit(value):
    """``value`` (a string, list or dict of them) with personal numbers masked, for the audit trail."""
    if isinstance(value, str):
        return mask_numbers_in(value)
    if isinstance(value, dict):
        return {key: masked_for_audit(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [masked_for_audit(item) for item in value]
    return value
