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
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # tasks the worker sends itself (a chord's callback) go to the test's queue, files to the test's media
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", queue, "--loglevel=WARNING"],
        cwd=BASE_DIR,
        env=env,
    )
    default_queue = celery_eager.conf.task_default_queue
    celery_eager.conf.task_default_queue = queue
    try:
        yield queue
    finally:
        celery_eager.conf.task_default_queue = default_queue
        process.terminate()
        process.wait(timeout=30)


def test_a_real_worker_runs_a_task_and_returns_its_result(worker):
    community = CommunityFactory()
    CadreFactory.create_batch(3, community=community)
    CadreFactory(community=community, deceased_on="2025-01-01")
    result = count_living_cadres.apply_async(args=[community.pk], queue=worker)
    assert result.get(timeout=60) == 3


def test_a_real_worker_builds_a_months_ledgers_through_the_beats_entry_point(worker, settings):
    """The beat's task on a real worker: a chord per community, roll-ups, workbooks; a rebuild replaces them."""
    import datetime
    import io
    import time

    from django.core.cache import cache
    from openpyxl import load_workbook

    from portal.models import LedgerReport, LedgerRun
    from portal.tasks import build_last_months_ledgers, build_month_ledgers
    from tests.factories import ActivityFactory, SignInFactory, StreetFactory

    street = StreetFactory()
    communities = [CommunityFactory(street=street) for _n in range(3)]
    for community in communities:
        CadreFactory.create_batch(2, community=community)
    from django.utils import timezone

    today = timezone.localdate()
    month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    held = ActivityFactory(
        community=communities[0],
        starts_at=datetime.datetime.combine(month.replace(day=10), datetime.time(9), tzinfo=datetime.UTC),
    )
    SignInFactory(activity=held, cadre=communities[0].cadres.first())
    cache.delete(f"ledgers:beat:{month:%Y-%m}")

    started = time.monotonic()
    run_id = build_last_months_ledgers.apply_async(queue=worker).get(timeout=120)
    run = _wait_for_run(run_id)
    elapsed = time.monotonic() - started
    assert (run.status, run.scopes_built, run.scopes_expected) == ("done", 5, 5), run.failures  # 3 + 1 + district
    report = LedgerReport.objects.get(level="district", kind="month", period_start=month)
    with report.file.open("rb") as source:
        overview = load_workbook(io.BytesIO(source.read()))["概况"]
    values = {(row[0], row[1]): row[2] for row in overview.iter_rows(min_row=3, values_only=True)}
    assert values[("在册离退休干部", None)] == report.figures["cadres_total"] == 6
    assert values[("签到人次", None)] == report.figures["sign_ins"] == 1

    again = build_month_ledgers.apply_async(args=[f"{month:%Y-%m-%d}", "admin"], queue=worker).get(timeout=120)
    _wait_for_run(again)
    assert LedgerReport.objects.filter(kind="month", period_start=month).count() == 5  # one per scope, still
    assert LedgerRun.objects.count() == 2
    print(f"ledgers of {run.scopes_built} scopes built by a real worker in {elapsed:.1f}s")


def _wait_for_run(run_id, timeout=120):
    import time

    from portal.models import LedgerRun

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = LedgerRun.objects.get(pk=run_id)
        if run.finished_at is not None:
            return run
        time.sleep(0.5)
    raise AssertionError(f"the run {run_id} did not finish in {timeout}s")
