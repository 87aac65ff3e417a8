"""Finding 9: production refuses to start without the services it needs, and ``check --deploy`` names them."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
COMPLETE = {
    "DJANGO_ENV": "production",
    "ALLOWED_HOSTS": "portal.example",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "FIELD_ENCRYPTION_KEYS": secrets.token_urlsafe(32),
    "PERSONAL_DATA_HASH_KEY": secrets.token_urlsafe(32),
    "DATABASE_URL": "postgres://portal@127.0.0.1:5432/portal",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def _run(args, **env):
    # the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for their own process; a deployment never has it
    unset = ("DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    return subprocess.run(args, cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=120)


def _check_deploy(**env):
    return _run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env)


def _start_wsgi(**env):
    return _run([sys.executable, "-c", "import config.wsgi"], **env)


def test_check_deploy_passes_when_every_requirement_is_met():
    result = _check_deploy(**COMPLETE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_without_redis_check_deploy_names_it_and_the_server_does_not_start():
    env = {k: v for k, v in COMPLETE.items() if k != "REDIS_URL"}
    result = _check_deploy(**env)
    assert result.returncode != 0 and "REDIS_URL" in result.stdout + result.stderr
    started = _start_wsgi(**env)
    assert started.returncode != 0 and "REDIS_URL" in started.stderr


def test_each_missing_requirement_is_named():
    for missing, word in [
        ("DATABASE_URL", "PostgreSQL"),
        ("FIELD_ENCRYPTION_KEYS", "FIELD_ENCRYPTION_KEYS"),
        ("PERSONAL_DATA_HASH_KEY", "PERSONAL_DATA_HASH_KEY"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS"),
    ]:
        env = {k: v for k, v in COMPLETE.items() if k != missing}
        result = _check_deploy(**env)
        assert result.returncode != 0 and word in result.stdout + result.stderr, missing


def test_two_factor_cannot_be_turned_off_in_production():
    result = _check_deploy(**COMPLETE, MFA_REQUIRED="false")
    assert result.returncode != 0 and "MFA_REQUIRED" in result.stdout + result.stderr


def test_a_complete_production_configuration_starts():
    started = _start_wsgi(**COMPLETE)
    assert started.returncode == 0, started.stderr
