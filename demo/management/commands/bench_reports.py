"""Time a month's ledgers (one process: what one worker does) and the dashboard, uncached and cached.

    python manage.py bench_reports [--month YYYY-MM] [--repeat N]

Run it on the demo district (seed_demo) with the database and cache you want to measure.
"""

import statistics
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.utils import timezone

from approvals.rules import last_closed_month
from core.dates import parse_month
from portal.ledger_runs import build_month
from portal.models import LedgerRun


class Command(BaseCommand):
    help = "Benchmark: a month's ledgers built in one process, and the dashboard's response time uncached and cached."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: last month)")
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument("--skip-ledgers", action="store_true")

    def handle(self, *args, month=None, repeat=5, skip_ledgers=False, **options):
        first = parse_month(month, last_closed_month(timezone.localdate()))
        backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        self.stdout.write(f"database: {connection.vendor}; cache: {backend}")
        if not skip_ledgers:
            started = time.monotonic()
            run = build_month(month=first, trigger=LedgerRun.Trigger.COMMAND)
            self.stdout.write(
                f"ledgers {first:%Y-%m}: {run.scopes_built} scopes in {time.monotonic() - started:.1f}s "
                f"(one process, as one worker runs them), failures {len(run.failures)}"
            )
        client = Client()
        client.force_login(get_user_model().objects.get(username="leader"))
        url = "/dashboard/"
        client.get(url)  # the once-a-session account checks
        uncached, cached = [], []
        for _n in range(repeat):
            cache.clear()
            client.force_login(get_user_model().objects.get(username="leader"))
            client.get("/healthz")
            started = time.perf_counter()
            assert client.get(url).status_code == 200
            uncached.append(time.perf_counter() - started)
            started = time.perf_counter()
            assert client.get(url).status_code == 200
            cached.append(time.perf_counter() - started)
        self.stdout.write(
            f"dashboard (district, leader): uncached median {statistics.median(uncached) * 1000:.0f} ms, "
            f"cached median {statistics.median(cached) * 1000:.0f} ms, over {repeat} runs"
        )
