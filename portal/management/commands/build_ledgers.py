"""python manage.py build_ledgers --month YYYY-MM [--community CODE] | --year YYYY — the beat's code, in-process."""

import time

from django.core.management.base import BaseCommand, CommandError

from communities.models import Community
from core.dates import parse_month
from portal.ledger_runs import build_month, build_year
from portal.models import LedgerRun


class Command(BaseCommand):
    help = "生成月度台账（每个社区、街道和全区），或某一年的年报；重新生成会替换原有台账，不会重复。"

    def add_arguments(self, parser):
        when = parser.add_mutually_exclusive_group(required=True)
        when.add_argument("--month", help="月份，如 2026-10")
        when.add_argument("--year", type=int, help="年报的年份，如 2025")
        parser.add_argument("--community", help="只生成这个社区（12位统计用区划代码）的台账")

    def handle(self, *args, month=None, year=None, community=None, **options):
        if community and not Community.objects.filter(code=community).exists():
            raise CommandError(f"没有代码为 {community} 的社区。")
        started = time.monotonic()
        if month:
            first = parse_month(month)
            if first is None:
                raise CommandError("月份应写作 YYYY-MM，如 2026-10。")
            run = build_month(month=first, trigger=LedgerRun.Trigger.COMMAND, community_code=community)
        else:
            run = build_year(year=year, trigger=LedgerRun.Trigger.COMMAND, community_code=community)
        elapsed = time.monotonic() - started
        self.stdout.write(f"已生成 {run.scopes_built}/{run.scopes_expected} 份台账，用时 {elapsed:.1f} 秒。")
        for failure in run.failures:
            self.stderr.write(f"失败：{failure['scope']}：{failure['error']}")
        if run.failures:
            raise CommandError("部分台账生成失败。")
