"""A real Celery worker process, on the Redis broker, runs a task against the test database.

Runs in .ci/run's PostgreSQL + Redis pass (REQUIRE_SERVICES=1 there, so it can
never be skipped silently); on the embedded defaults it is skipped.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from portal.tasks import count_living_cadres
from tests.factories import CadreFactory, CommunityFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def services_required():
    has_services = bool(settings.REDIS_URL) and connection.vendor == "postgresql"
    if not has_services:
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("REQUIRE_SERVICES is set but DATABASE_URL (PostgreSQL) or REDIS_URL is missing")
        pytest.skip("needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)")


@pytest.fixture
def worker(services_required, celery_eager):
    """A Celery worker on its own queue, pointed at this test run's database."""
    celery_eager.conf.task_always_eager = False
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "-Q", queue, "--loglevel=WARNING"],
        cwd=BASE_DIR,
        env=env,
    )
    try:
        yield queue
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_real_worker_runs_a_task_and_returns_its_result(worker):
    community = CommunityFactory()
    CadreFactory.create_batch(3, community=community)
    CadreFactory(community=community, deceased_on="2025-01-01")
    result = count_living_cadres.apply_async(args=[community.pk], queue=worker)
    assert result.get(timeout=60) == 3
