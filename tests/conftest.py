import os

import pytest
from django.contrib.auth.models import Group
from django.utils import translation

from accounts.models import ADMIN_ROLES, Role, StaffScope
from tests.factories import CommunityFactory, StreetFactory, UserFactory, the_district


def pytest_configure(config):
    """In a parallel run (pytest-xdist) each worker keeps its cache keys apart: on the PostgreSQL + Redis pass
    the workers share one Redis database, and one worker's lockouts and ``cache.clear()`` must not reach
    another's (the portal's cache clears only its own prefix: ``portal.cache``). Each worker has its own test
    database already (pytest-django suffixes its name)."""
    from django.conf import settings

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        settings.CACHES["default"]["KEY_PREFIX"] = f"{settings.CACHES['default'].get('KEY_PREFIX', '')}-{worker}"


@pytest.fixture(autouse=True)
def _chinese_by_default():
    """Each test starts in the default language and an empty cache (lockouts live there)."""
    from django.core.cache import cache

    cache.clear()
    with translation.override("zh-hans"):
        yield


@pytest.fixture(autouse=True)
def celery_eager():
    """Jobs run in the test's process, even when a broker is configured (the PostgreSQL + Redis pass).

    The one test that needs a real worker turns this off (tests/portal/test_celery_worker.py).
    """
    from config.celery import app

    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # uploads of a test never land in var/
    # two-factor for bureau accounts is tested on its own (tests/portal/test_accounts.py)
    settings.MFA_REQUIRED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def make_user(role, *, street=None, community=None, district=None, unit=None, city=False, username=None, is_staff=None):
    """An account of ``role`` scoped to a community, a street, a unit, the city, or a district (by default
    the tests' one district)."""
    user = UserFactory(username=username) if username else UserFactory()
    user.is_staff = role in ADMIN_ROLES if is_staff is None else is_staff
    user.save()
    if not Group.objects.filter(name=role).exists():
        # a transactional test's flush drops the groups the data migration made
        from django.contrib.auth.models import Permission

        from accounts.roles import sync_role_groups

        sync_role_groups(Group, Permission)
    user.groups.add(Group.objects.get(name=role))
    if community is not None:
        StaffScope.objects.create(user=user, level=StaffScope.Level.COMMUNITY, community=community)
    elif street is not None:
        StaffScope.objects.create(user=user, level=StaffScope.Level.STREET, street=street)
    elif unit is not None:
        StaffScope.objects.create(user=user, level=StaffScope.Level.UNIT, unit=unit)
    elif city:
        StaffScope.objects.create(user=user, level=StaffScope.Level.CITY)
    else:
        StaffScope.objects.create(user=user, level=StaffScope.Level.DISTRICT, district=district or the_district())
    return user


@pytest.fixture
def street(db):
    return StreetFactory()


@pytest.fixture
def community(street):
    return CommunityFactory(street=street)


@pytest.fixture
def other_community(db):
    return CommunityFactory()


@pytest.fixture
def bureau_user(db):
    return make_user(Role.BUREAU, username="alice")


@pytest.fixture
def street_user(street):
    return make_user(Role.STREET, street=street, username="bob")


@pytest.fixture
def community_user(community):
    return make_user(Role.COMMUNITY, community=community, username="carol")


@pytest.fixture
def leader_user(db):
    return make_user(Role.LEADER, username="dave")


@pytest.fixture
def stranger(other_community):
    """A community worker of another community ("charlie" in healthchecks' tests)."""
    return make_user(Role.COMMUNITY, community=other_community, username="charlie")
