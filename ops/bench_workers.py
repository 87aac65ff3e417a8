"""How a ledger run scales with Celery worker processes: 200 communities built with 1, 2 and 4 of them.

    make bench-workers

It starts its own PostgreSQL and Redis on spare ports (ops/drill.py's topology), seeds one district of
10 streets x 20 communities (200 communities, 211 ledger units), then for each worker count starts a
Celery worker with that many processes, starts a month's run and times it until the run is closed. It
prints the wall times and the speed-up against one process, with the machine's CPU count (processes
beyond the cores cannot add speed). A benchmark, not a test: nothing here asserts a time.
"""

import argparse
import datetime
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from drill import Topology, log, query  # noqa: E402 - the drill's topology, started the same way

SEED = """
import datetime
from django.utils import timezone
from demo import builder as demo
scale = demo.Scale(districts=1, streets_per_district=10, communities_per_street=20, cadres=20_000,
                   months_of_activities=2)
demo.DemoBuilder(scale=scale, seed=7, today=timezone.localdate()).build()
"""


def timed_run(topology: Topology, month: datetime.date, processes: int) -> tuple[float, int]:
    topology.celery_concurrency = processes
    topology.start_worker()
    time.sleep(4)  # the worker is up and its pool forked before the clock starts
    before = query(topology, "SELECT coalesce(max(id), 0) FROM portal_ledgerrun")[0][0]
    started = time.monotonic()
    topology.manage(
        "shell",
        "--no-imports",
        "-c",
        f"from portal.tasks import build_month_ledgers; build_month_ledgers.delay('{month:%Y-%m-%d}', 'admin')",
    )
    while True:
        row = query(
            topology,
            "SELECT status, scopes_built FROM portal_ledgerrun WHERE id > %s AND trigger = 'admin' "
            "ORDER BY id DESC LIMIT 1",
            before,
        )
        if row and row[0][0] != "running":
            break
        time.sleep(0.2)
    elapsed = time.monotonic() - started
    topology.stop("worker")
    return elapsed, row[0][1]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", default="1,2,4", help="worker process counts to time (default 1,2,4)")
    options = parser.parse_args(argv)
    counts = [int(n) for n in options.workers.split(",")]
    root = Path(tempfile.mkdtemp(prefix="laoganbu-bench-"))
    os.chmod(root, 0o755)
    topology = Topology(root, gunicorn_workers=1, celery_concurrency=1)
    topology.env["CONN_MAX_AGE"] = "60"
    results = []
    try:
        topology.start_postgres()
        topology.start_redis()
        topology.media.mkdir()
        topology.manage("migrate", "-v", "0")
        log("seeding 200 communities")
        topology.manage("shell", "--no-imports", "-c", SEED)
        month = (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        timed_run(topology, month, 1)  # a warm-up run: caches, the first workbook files
        for processes in counts:
            elapsed, built = timed_run(topology, month, processes)
            results.append((processes, elapsed, built))
            log(f"{processes} worker process(es): {built} ledgers in {elapsed:.1f}s")
    finally:
        topology.teardown()
        shutil.rmtree(root, ignore_errors=True)
    base = results[0][1]
    print(f"\nledgers of 200 communities (211 units), {os.cpu_count()} CPUs on this machine")
    print(f"{'processes':>9}  {'seconds':>8}  {'speed-up':>8}")
    for processes, elapsed, _built in results:
        print(f"{processes:>9}  {elapsed:>8.1f}  {base / elapsed:>7.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
