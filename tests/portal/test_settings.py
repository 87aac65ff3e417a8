"""Production settings are strict by default; secrets have no default there."""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
NAMES = [
    "DEBUG",
    "MFA_REQUIRED",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SESSION_IDLE_SECONDS",
    "SESSION_MAX_SECONDS",
    "SESSION_SAVE_EVERY_REQUEST",
]
PRINT = (
    "import json, django; from django.conf import settings; django.setup(); "
    f"print(json.dumps({{k: getattr(settings, k) for k in {NAMES!r}}}))"
)


def _settings(**env):
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    result = subprocess.run(
        [sys.executable, "-c", PRINT], cwd=BASE_DIR, env=environment, capture_output=True, text=True
    )
    return result


def test_production_is_strict_by_default():
    result = _settings(
        DJANGO_ENV="production",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="portal.example",
        FIELD_ENCRYPTION_KEYS="salt-1",
        PERSONAL_DATA_HASH_KEY="hash-key",
    )
    values = json.loads(result.stdout)
    assert values == {
        "DEBUG": False,
        "MFA_REQUIRED": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_IDLE_SECONDS": 1800,
        "SESSION_MAX_SECONDS": 36000,
        "SESSION_SAVE_EVERY_REQUEST": False,
    }


def test_production_refuses_to_start_without_its_secrets():
    result = _settings(DJANGO_ENV="production", ALLOWED_HOSTS="portal.example")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
