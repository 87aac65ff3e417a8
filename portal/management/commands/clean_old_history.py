"""simple_history's clean_old_history, refusing to purge change history younger than 180 days.

This command shadows the library's (simple_history is listed after the portal's apps).
"""

from django.core.management import CommandError
from simple_history.management.commands import clean_old_history

from core.audit import AUDIT_RETENTION_DAYS


class Command(clean_old_history.Command):
    help = f"Delete change history older than --days (at least {AUDIT_RETENTION_DAYS}; the default)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(days=AUDIT_RETENTION_DAYS)

    def handle(self, *args, **options):
        if options["days"] < AUDIT_RETENTION_DAYS:
            raise CommandError(f"Audit records are kept at least {AUDIT_RETENTION_DAYS} days (等保 2.0).")
        super().handle(*args, **options)
