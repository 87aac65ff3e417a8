import datetime

from django.core.management import BaseCommand, CommandError, call_command
from django.utils import timezone

from communities.models import AuditEvent
from core.audit import AUDIT_RETENTION_DAYS


class Command(BaseCommand):
    help = f"Delete audit events and change history older than --days (never fewer than {AUDIT_RETENTION_DAYS})."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=365)

    def handle(self, *args, days, **options):
        if days < AUDIT_RETENTION_DAYS:
            raise CommandError(f"Audit records are kept at least {AUDIT_RETENTION_DAYS} days (等保 2.0).")
        cutoff = timezone.now() - datetime.timedelta(days=days)
        deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
        self.stdout.write(f"Deleted {deleted} audit events older than {days} days.")
        call_command("clean_old_history", auto=True, days=days, stdout=self.stdout)
