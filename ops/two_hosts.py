"""Two hosts: the portal run as it is past one machine, on loopback, and checked from both sides.

    make two-hosts      # about a minute; .ci/run runs it

It starts its own PostgreSQL cluster and Redis on spare ports, PgBouncer in transaction mode in front of
PostgreSQL, a local S3 server (moto), then two "hosts": each a gunicorn and a Celery worker with its own
working directory and its own empty MEDIA_ROOT, sharing only PgBouncer, Redis and the bucket. A phone
logs in on host A, signs a cadre in and uploads a photo; the same session then reads the book and the
photo on host B, and a second phone on host B signs someone in that host A then shows. A month's ledger
run is started from host B and built by the workers of both hosts; its files are downloaded from host A.
It fails unless everything was read back from the other host, every file is in the bucket and none on
either host's disk. It stops only what it started.
"""

import argparse
import contextlib
import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import drill  # noqa: E402 - the drill's PostgreSQL, Redis, processes and phones, reused

BASE_DIR, PYTHON = drill.BASE_DIR, drill.PYTHON
BUCKET = "laoganbu-media"


def log(message: str) -> None:
    print(f"[two-hosts {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Hosts(drill.Topology):
    """The drill's PostgreSQL and Redis, plus PgBouncer, an S3 server and two portal hosts."""

    def __init__(self, root: Path):
        super().__init__(root, gunicorn_workers=2, celery_concurrency=1)
        self.pgbouncer_port, self.s3_port = drill.free_port(), drill.free_port()
        self.ports = {"a": drill.free_port(), "b": drill.free_port()}
        self.s3_url = f"http://127.0.0.1:{self.s3_port}"
        shared = {
            **self.env,
            # the hosts reach PostgreSQL only through PgBouncer (transaction mode)
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.pgbouncer_port}/portal",
            "DATABASE_POOLED": "true",
            "CONN_MAX_AGE": "60",
            "SECRET_KEY": "two-hosts-share-one-secret-key-so-a-session-works-on-either",
            "MEDIA_S3_BUCKET": BUCKET,
            "MEDIA_S3_ENDPOINT_URL": self.s3_url,
            "MEDIA_S3_ACCESS_KEY": "two-hosts",
            "MEDIA_S3_SECRET_KEY": "two-hosts",
            "MEDIA_S3_REGION": "us-east-1",
        }
        self.hosts = {}
        for name in ("a", "b"):
            folder = root / f"host-{name}"
            (folder / "media").mkdir(parents=True)
            self.hosts[name] = {
                "dir": folder,
                "url": f"http://127.0.0.1:{self.ports[name]}",
                "env": {**shared, "MEDIA_ROOT": str(folder / "media")},
            }

    # --- PgBouncer (it will not run as root: it runs as postgres) --------------------------------
    def start_pgbouncer(self):
        folder = self.root / "pgbouncer"
        folder.mkdir()
        (folder / "users.txt").write_text('"postgres" ""\n')
        (folder / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"portal = host=127.0.0.1 port={self.pg_port} dbname=drill user=postgres\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.pgbouncer_port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {folder / 'users.txt'}\n"
            "pool_mode = transaction\nmax_client_conn = 200\ndefault_pool_size = 8\n"
            "ignore_startup_parameters = extra_float_digits\n"
        )
        command = ["pgbouncer", str(folder / "pgbouncer.ini")]
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
            command = ["runuser", "-u", "postgres", "--", *command]
        self.spawn("pgbouncer", command)
        self.wait_for_port(self.pgbouncer_port)

    # --- the S3 server --------------------------------------------------------------------------
    def start_s3(self):
        self.spawn("s3", [PYTHON, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.s3_port)])
        self.wait_for_port(self.s3_port)
        self.s3().create_bucket(Bucket=BUCKET)

    def s3(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.s3_url,
            aws_access_key_id="two-hosts",
            aws_secret_access_key="two-hosts",
            region_name="us-east-1",
        )

    def objects(self) -> list[str]:
        pages = self.s3().get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    # --- the hosts ------------------------------------------------------------------------------
    def run(self, host: str, *args, capture=True) -> str:
        done = subprocess.run(
            [PYTHON, str(BASE_DIR / "manage.py"), *args],
            cwd=self.hosts[host]["dir"],
            env=self.hosts[host]["env"],
            check=True,
            capture_output=capture,
            text=True,
        )
        return done.stdout if capture else ""

    def start_host(self, host: str):
        folder, env = self.hosts[host]["dir"], self.hosts[host]["env"]
        for name, command in (
            (
                f"gunicorn-{host}",
                [
                    PYTHON,
                    "-m",
                    "gunicorn",
                    "config.wsgi:application",
                    "--pythonpath",
                    str(BASE_DIR),
                    "--chdir",
                    str(folder),
                    "--bind",
                    f"127.0.0.1:{self.ports[host]}",
                    "--workers",
                    "2",
                    "--timeout",
                    "60",
                ],
            ),
            (
                f"worker-{host}",
                [
                    PYTHON,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--loglevel=INFO",
                    "--concurrency=1",
                    "--hostname",
                    f"host-{host}@%h",
                ],
            ),
        ):
            logfile = open(self.root / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
            self.processes[name] = subprocess.Popen(
                command,
                cwd=folder,
                env={**env, "PYTHONPATH": str(BASE_DIR)},
                stdout=logfile,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_for_port(self.ports[host])


def prepare(hosts: Hosts) -> dict:
    """An activity today in the demo worker's community, three of its cadres, and a photo to upload."""
    script = """
import datetime, json
from django.utils import timezone
from django.contrib.auth import get_user_model
from activities.models import Activity
from cadres.models import Cadre
from core.scope import scope_of
community_id = scope_of(get_user_model().objects.get(username="community")).community_id
start = timezone.localtime().replace(hour=0, minute=10, second=0, microsecond=0)
activity = Activity.objects.create(community_id=community_id, kind="study", title="两台主机的活动",
    starts_at=start, ends_at=start + datetime.timedelta(hours=23))
cadres = list(Cadre.objects.living().filter(community_id=community_id).order_by("pk").values_list("pk", "name")[:3])
print(json.dumps({"activity": activity.pk, "cadres": cadres}))
"""
    return json.loads(hosts.run("a", "shell", "--no-imports", "-c", script).strip().splitlines()[-1])


def photo_bytes() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.effect_noise((800, 600), 60).convert("RGB").save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def fetch(phone: drill.Phone, path: str) -> tuple[int, bytes]:
    import urllib.error
    import urllib.request

    try:
        with phone.opener.open(urllib.request.Request(phone.base_url + path), timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_for_run(hosts: Hosts, month: datetime.date, timeout: float) -> tuple[str, int, int]:
    deadline = time.monotonic() + timeout
    row = ("missing", 0, 0)
    while time.monotonic() < deadline:
        found = drill.query(
            hosts,
            "SELECT r.status, count(u.id), count(u.id) FILTER (WHERE u.status = 'done') FROM portal_ledgerrun r "
            "LEFT JOIN portal_ledgerrununit u ON u.run_id = r.id WHERE r.period_start = %s GROUP BY r.id, r.status "
            "ORDER BY r.id DESC LIMIT 1",
            month,
        )
        if found:
            row = found[0]
            if row[0] != "running":
                break
        time.sleep(1)
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="leave the temp dir (logs) for inspection")
    options = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit("the two-host run was stopped"))
    root = Path(tempfile.mkdtemp(prefix="laoganbu-two-hosts-"))
    os.chmod(root, 0o755)
    hosts = Hosts(root)
    checks: list[tuple[str, bool, str]] = []
    try:
        log(
            f"PostgreSQL :{hosts.pg_port} behind PgBouncer :{hosts.pgbouncer_port} (transaction mode), "
            f"Redis :{hosts.redis_port}, S3 :{hosts.s3_port}, in {root}"
        )
        hosts.start_postgres()
        # the portal sets nothing per session; UTC on the server spares Django's SET TIME ZONE
        drill.query(hosts, "ALTER DATABASE drill SET timezone TO 'UTC'")
        hosts.start_redis()
        hosts.start_pgbouncer()
        hosts.start_s3()
        log("migrating and seeding the demo district through PgBouncer")
        hosts.run("a", "migrate", "-v", "0")
        hosts.run("a", "seed_demo", "--scale", "tiny")
        plan = prepare(hosts)
        activity, cadres = plan["activity"], plan["cadres"]
        hosts.start_host("a")
        hosts.start_host("b")
        log(f"host A {hosts.hosts['a']['url']}, host B {hosts.hosts['b']['url']}")

        on_a = drill.Phone(hosts.hosts["a"]["url"], "community")
        checks.append(("a phone logs in on host A", on_a.log_in() == 200, ""))
        status, location, _page = on_a.post(f"/worker/activities/{activity}/sign-in/", {"cadre": cadres[0][0]})
        checks.append(("host A signs the first cadre in", status == 302, f"{status} {location}"))
        picture = photo_bytes()
        status, _location, _page = on_a.post(
            f"/worker/activities/{activity}/photos/", {}, {"photos": ("现场.jpg", picture)}
        )
        checks.append(("host A keeps a photo", status in (200, 302), str(status)))

        # the same session on host B: sessions live in the shared database
        on_b = drill.Phone(hosts.hosts["b"]["url"], "community")
        for cookie in on_a.jar:
            on_b.jar.set_cookie(cookie)
        status, book = fetch(on_b, f"/worker/activities/{activity}/")
        page = book.decode(errors="replace")
        checks.append(("host B shows host A's session its book", status == 200, str(status)))
        checks.append(("host B's book lists the cadre host A signed in", cadres[0][1] in page, cadres[0][1]))
        photos = sorted(set(re.findall(rf"/worker/activities/{activity}/photos/\d+/\w+\.jpg", page)))
        checks.append(("host B's book shows the photo", bool(photos), ", ".join(photos)))
        for path in photos:
            from_b, body_b = fetch(on_b, path)
            from_a, body_a = fetch(on_a, path)
            same = from_b == from_a == 200 and body_a == body_b and body_b[:2] == b"\xff\xd8"
            checks.append((f"host B serves {path.rsplit('/', 1)[-1]} as host A does", same, f"{len(body_b)} bytes"))

        # a second phone logs in on host B; host A shows what it did
        second = drill.Phone(hosts.hosts["b"]["url"], "community")
        checks.append(("a second phone logs in on host B", second.log_in() == 200, ""))
        status, _location, _page = second.post(f"/worker/activities/{activity}/sign-in/", {"cadre": cadres[1][0]})
        checks.append(("host B signs the second cadre in", status == 302, str(status)))
        status, book = fetch(on_a, f"/worker/activities/{activity}/")
        checks.append(("host A's book lists the cadre host B signed in", cadres[1][1] in book.decode(), cadres[1][1]))

        # background work: a month's ledgers started from host B, built by the workers of both hosts
        month = (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        hosts.run(
            "b",
            "shell",
            "--no-imports",
            "-c",
            f"from portal.tasks import build_month_ledgers; build_month_ledgers.delay('{month:%Y-%m-%d}', 'admin')",
        )
        run_status, units, done = wait_for_run(hosts, month, timeout=180)
        checks.append(("the ledger run finishes", run_status == "done" and units == done > 0, f"{done}/{units}"))
        worked = {
            host: "succeeded in" in (root / f"worker-{host}.log").read_text(errors="replace") for host in ("a", "b")
        }
        checks.append(("the workers of both hosts took units", all(worked.values()), str(worked)))
        bureau = drill.Phone(hosts.hosts["a"]["url"], "bureau")
        bureau.log_in()
        report = drill.query(
            hosts,
            "SELECT id FROM portal_ledgerreport WHERE level = 'district' AND period_start = %s",
            month,
        )
        status, workbook = fetch(bureau, f"/ledgers/{report[0][0]}/download/") if report else (0, b"")
        checks.append(("host A downloads the district ledger", status == 200 and workbook[:2] == b"PK", str(status)))

        objects = hosts.objects()
        photos_stored = [key for key in objects if "photo" in key or key.endswith(".jpg")]
        ledgers_stored = [key for key in objects if key.endswith(".xlsx")]
        checks.append(("the photo is in the bucket", bool(photos_stored), f"{len(photos_stored)} objects"))
        checks.append(("the ledgers are in the bucket", len(ledgers_stored) >= done > 0, f"{len(ledgers_stored)}"))
        on_disk = [str(path) for host in hosts.hosts.values() for path in Path(host["env"]["MEDIA_ROOT"]).rglob("*")]
        checks.append(("nothing on either host's disk", not on_disk, ", ".join(on_disk[:3])))
    finally:
        hosts.teardown()
        if options.keep:
            log(f"logs kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    width = max((len(name) for name, _ok, _note in checks), default=0)
    for name, ok, note in checks:
        print(f"{'ok ' if ok else 'FAIL'}  {name:<{width}}  {note}")
    failed = [name for name, ok, _note in checks if not ok]
    if failed or not checks:
        print(f"TWO HOSTS FAILED: {'; '.join(failed) or 'the run did not finish'}")
        return 1
    print("TWO HOSTS PASSED: a sign-in and a photo on one host read on the other; jobs and files shared")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
