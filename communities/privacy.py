"""Personal data at rest and on screen (PIPL; 等保 2.0 level 3 confidentiality).

Sensitive values are stored encrypted by django-fernet-encrypted-fields (keys
from the environment, see README "Keys and rotation"). Beside an encrypted
value the model keeps what it needs to find it without decrypting: a keyed
digest for exact lookup and uniqueness, and for phones the last 4 digits.
"""

import base64
import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from django.conf import settings
from django.db import models
from encrypted_fields.fields import EncryptedCharField, EncryptedTextField


@functools.lru_cache(maxsize=4)
def _fernet(secret_keys: tuple, salt_keys: tuple):
    """One (Multi)Fernet for every encrypted field: the library would derive keys per field (PBKDF2, ~70 ms each)."""
    keys = []
    for secret_key in secret_keys:
        for salt_key in salt_keys:
            kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt_key.encode(), iterations=100_000)
            keys.append(base64.urlsafe_b64encode(kdf.derive(secret_key.encode())))
    return Fernet(keys[0]) if len(keys) == 1 else MultiFernet([Fernet(key) for key in keys])


class _EmptyStaysEmpty:
    """The library stores "" as NULL; keep "" so blank text fields stay NOT NULL and read back as ""."""

    @property
    def f(self):
        salts = settings.SALT_KEY if isinstance(settings.SALT_KEY, list) else [settings.SALT_KEY]
        secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
        return _fernet(tuple(secrets), tuple(salts))

    def get_prep_value(self, value):
        if value in (None, ""):
            return None if self.null else ""
        return super().get_prep_value(value)

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return None if self.null else ""
        return super().from_db_value(value, expression, connection)


class EncryptedChar(_EmptyStaysEmpty, EncryptedCharField):
    """A short personal value (ID number, phone), encrypted at rest."""


class EncryptedText(_EmptyStaysEmpty, EncryptedTextField):
    """A longer personal note (health, care), encrypted at rest."""


def digest(value: str) -> str:
    """Keyed SHA-256 digest of a normalised value: lookups and uniqueness without decrypting."""
    if not value:
        return ""
    key = settings.PERSONAL_DATA_HASH_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class DigestField(models.CharField):
    """Keeps the keyed digest of another field of the same row, computed on every save and bulk insert."""

    def __init__(self, *args, source: str = "", **kwargs):
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

    def __init__(self, *args, source: str = "", digits: int = 4, **kwargs):
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
    """3706**********123X: region's first 4 and last 4 characters only."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


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


def can_see_identity(user) -> bool:
    return user.is_authenticated and user.has_perm(IDENTITY_PERMISSION)


def can_see_health(user) -> bool:
    return user.is_authenticated and user.has_perm(HEALTH_PERMISSION)
