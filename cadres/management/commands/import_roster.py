import time

from django.core.management.base import BaseCommand, CommandError

from cadres.roster import InvalidRosterError, apply_roster, check_roster
from communities.models import AuditEvent
from core.audit import record_event


class Command(BaseCommand):
    help = "Import a roster (花名册) .xlsx: every bad row is listed and nothing is written, or all rows are."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")
        parser.add_argument(
            "--create-units",
            action="store_true",
            help="create the units (原工作单位) the file names that are not known",
        )

    def handle(self, *args, file, dry_run, **options):
        started = time.monotonic()
        try:
            with open(file, "rb") as source:
                create = options["create_units"]
                check = (
                    check_roster(source, create_units=create) if dry_run else apply_roster(source, create_units=create)
                )
        except FileNotFoundError:
            raise CommandError(f"找不到文件：{file}") from None
        except InvalidRosterError as invalid:
            check = invalid.check
        if not check.is_valid:
            for error in check.errors:
                self.stderr.write(str(error))
            self.stderr.write(f"共 {len(check.errors)} 处问题，没有写入任何数据。")
            raise SystemExit(1)
        counts = check.counts
        if not dry_run:
            record_event(kind=AuditEvent.Kind.IMPORT, username="manage.py", rows=counts["rows"], file=str(file))
        verb = "检查通过（未写入）" if dry_run else "导入完成"
        self.stdout.write(
            f"{verb}：{counts['rows']} 行，新增 {counts['new']}，更新 {counts['updated']}，"
            f"无变化 {counts['unchanged']}（{time.monotonic() - started:.1f} 秒）"
        )
