"""Outages are told, not punished: a database or Redis out of reach is a 503 in Chinese, never a counted
login failure; the lockout lives in the database and holds while Redis is down."""

import pytest
from django.db import OperationalError
from django.test import Client

from accounts.models import LoginThrottle, Role
from communities.models import AuditEvent
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "Correct-Horse-42"


def test_a_login_during_a_database_outage_is_a_503_and_not_a_failure(monkeypatch):
    make_user(Role.COMMUNITY, username="carol", community=None)

    def unreachable(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("django.contrib.auth.backends.ModelBackend.authenticate", unreachable)
    client = Client(raise_request_exception=False)
    for _ in range(6):
        response = client.post("/accounts/login/", {"login": "carol", "password": PASSWORD})
        assert response.status_code == 503
        assert "系统暂时不可用" in response.content.decode()
    assert not LoginThrottle.objects.filter(failures__gt=0).exists()
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN_FAILED).exists()
    monkeypatch.undo()
    assert client.post("/accounts/login/", {"login": "carol", "password": PASSWORD}).status_code == 302


def test_a_page_whose_database_is_gone_says_so_in_chinese(monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(make_user(Role.LEADER))

    def unreachable(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("portal.views.WeeklyReminder.objects.for_user", unreachable)
    response = client.get("/reminders/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    page = response.content.decode()
    assert "系统暂时不可用" in page and "server closed" not in page
    htmx = client.get("/reminders/", HTTP_HX_REQUEST="true")
    assert htmx.status_code == 503 and htmx.content == b""


def test_with_redis_down_people_still_log_in_and_the_lockout_still_holds(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    make_user(Role.COMMUNITY, username="carol", community=None)
    client = Client(raise_request_exception=False)
    assert client.post("/accounts/login/", {"login": "carol", "password": PASSWORD}).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(5):
        assert client.post("/accounts/login/", {"login": "carol", "password": "wrong-password"}).status_code == 200
    response = client.post("/accounts/login/", {"login": "carol", "password": PASSWORD})
    assert response.status_code == 200 and "账号已锁定" in response.content.decode()


def test_the_cache_workaround_is_what_keeps_logins_open(settings):
    """Without portal.cache.ResilientRedisCache, allauth refuses every login (429) while Redis is down."""
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    assert caches["default"].add("lock", True) is None  # the library's answer that the workaround corrects


def test_a_full_disk_is_a_503_that_says_nothing_was_saved(monkeypatch):
    import errno

    client = Client(raise_request_exception=False)
    client.force_login(make_user(Role.LEADER))

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("portal.views.WeeklyReminder.objects.for_user", full)
    response = client.get("/reminders/")
    assert response.status_code == 503
    assert "没有完成" in response.content.decode() and "No space" not in response.content.decode()


def test_clearing_the_cache_leaves_the_brokers_keys_in_the_same_redis(settings):
    """``cache.clear()`` (a test's, an operator's) deletes the portal's keys only: Celery's queue and results,
    which share the Redis database in a one-host install, stay."""
    import os

    import redis
    from django.core.cache import caches

    location = "redis://127.0.0.1:6379/13"
    raw = redis.Redis.from_url(location, socket_connect_timeout=1)
    try:
        raw.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("REQUIRE_SERVICES is set but Redis is not running on 127.0.0.1:6379")
        pytest.skip("needs Redis on 127.0.0.1:6379")
    settings.CACHES = {
        "default": {"BACKEND": "portal.cache.ResilientRedisCache", "LOCATION": location, "KEY_PREFIX": "portal"}
    }
    cache = caches["default"]
    try:
        raw.lpush("celery", "a queued task")
        cache.set("login-attempts", 3)
        cache.clear()
        assert cache.get("login-attempts") is None
        assert raw.lrange("celery", 0, -1) == [b"a queued task"]
    finally:
        raw.delete("celery")
        cache.delete("login-attempts")
