"""Measure the roster import (check + apply) against a plain bulk_create of the same rows.

Everything runs inside a transaction that is rolled back: the database is left as it was.
"""

import datetime
import random
import resource
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import override_settings
from openpyxl import Workbook

from cadres.models import Cadre, pinyin_keys
from cadres.parsers import make_id_number
from cadres.roster import HEADERS, apply_roster, check_roster
from communities.models import Community, Street


class RollbackError(Exception):
    pass


def _roster(path: Path, rows: int, community_names: list[str]):
    """A valid roster of ``rows`` people, written in openpyxl's streaming mode."""
    rng = random.Random(rows)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(HEADERS))
    used = set()
    for n in range(rows):
        birth = datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randint(0, 365 * 40))
        while True:
            number = make_id_number("370199", birth, rng.randint(0, 999))  # a region no demo cadre uses
            if number not in used:
                used.add(number)
                break
        gender = "男" if int(number[16]) % 2 else "女"
        sheet.append(
            [
                f"测试{n}",
                gender,
                birth,
                number,
                community_names[n % len(community_names)],
                f"138{n:08d}",
                "汉族",
                "退休",
                "2000-01",
                "区教育局",
                "科员",
                "是",
                "1970-07-01",
                "否",
                "良好",
                "与配偶同住",
                "书画",
                "",
                f"某小区{n % 300}号楼",
                "",
            ]
        )
    workbook.save(path)


class Command(BaseCommand):
    help = "Benchmark the roster import on this database (rolled back afterwards)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10_000)

    def handle(self, *args, rows, **options):
        # measured as production runs it: with DEBUG on, Django would keep every query's SQL in memory
        with override_settings(DEBUG=False):
            self._handle(rows)

    def _handle(self, rows):
        path = Path(settings.VAR_DIR) / f"bench-roster-{rows}.xlsx"
        try:
            with transaction.atomic():
                street, _ = Street.objects.get_or_create(code="370114999", defaults={"name": "测试街道"})
                communities = [
                    Community.objects.get_or_create(
                        code=f"370114999{i:03d}", defaults={"name": f"测试{i}社区", "street": street}
                    )[0]
                    for i in range(20)
                ]
                generated = not path.exists()
                if generated:
                    _roster(path, rows, [c.name for c in communities])
                    self.stdout.write(f"Generated {path}; run again to measure memory without the generator.")
                self._run(path, rows, generated=not generated)
                raise RollbackError
        except RollbackError:
            pass

    def _run(self, path, rows, *, generated):
        size_mb = path.stat().st_size / 1e6
        baseline_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        with open(path, "rb") as source:
            check = check_roster(source)
        checked = time.perf_counter()
        assert check.is_valid, [str(e) for e in check.errors[:5]]
        with transaction.atomic():
            with open(path, "rb") as source:
                apply_roster(source)
            applied = time.perf_counter()
            import_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            # the same rows as the import wrote, for a plain bulk_create of them below
            plain = list(Cadre.objects.filter(community__code__startswith="370114999"))
            transaction.set_rollback(True)
        for cadre in plain:
            cadre.pk = None
            cadre.name_pinyin, cadre.name_initials = pinyin_keys(cadre.name)
        bulk_started = time.perf_counter()
        with transaction.atomic():
            Cadre.objects.bulk_create(plain, batch_size=1000)
            bulk_done = time.perf_counter()
            transaction.set_rollback(True)
        total = applied - started
        bulk = bulk_done - bulk_started
        self.stdout.write(
            f"{connection.vendor}: {rows:,} rows ({size_mb:.1f} MB file) — check {checked - started:.1f}s, "
            f"import {applied - checked:.1f}s, check + import {total:.1f}s = {rows / total:,.0f} rows/s; "
            f"plain bulk_create {bulk:.1f}s = {rows / bulk:,.0f} rows/s ({total / bulk:.1f}x); "
            f"peak memory {import_peak_mb:.0f} MB (process before the import: {baseline_mb:.0f} MB)"
            + ("" if generated else " (includes generating the file: run again)")
        )
