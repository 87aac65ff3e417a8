import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from approvals.rules import last_closed_month
from core.dates import week_start
from demo import builder as demo
from portal.ledger_runs import build_month
from portal.models import LedgerRun
from portal.reminders import build_reminders


class Command(BaseCommand):
    help = "Create a realistic, deterministic demo district and one demo account per role."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(demo.SCALES), default="district")
        parser.add_argument("--seed", type=int, default=2022)

    def handle(self, *args, scale, seed, **options):
        if settings.IS_PRODUCTION:
            raise CommandError("seed_demo refuses to run with production settings (DJANGO_ENV=production).")
        started = time.monotonic()
        if demo.is_seeded():
            self.stdout.write("Demo district already present; leaving its data as it is.")
        else:
            today = timezone.localdate()
            counts = demo.DemoBuilder(scale=demo.SCALES[scale], seed=seed, today=today).build()
            summary = ", ".join(f"{key} {value:,}" for key, value in counts.items())
            self.stdout.write(f"Created the {scale} demo ({summary}) in {time.monotonic() - started:.1f}s.")
            if scale != "province":  # the benchmark data set builds its ledgers when measured
                started = time.monotonic()
                run = build_month(month=last_closed_month(today), trigger=LedgerRun.Trigger.COMMAND)
                build_reminders(week_start=week_start(today))
                self.stdout.write(
                    f"Built last month's {run.scopes_built} ledgers and this week's reminders "
                    f"in {time.monotonic() - started:.1f}s."
                )
        accounts = demo.ensure_demo_accounts()
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):"))
        for username, role, level in accounts:
            self.stdout.write(f"  {username:<10} {role} ({level})")
