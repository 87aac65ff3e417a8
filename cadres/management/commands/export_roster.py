from django.core.management.base import BaseCommand, CommandError

from cadres.exports import write_roster
from cadres.models import Cadre
from communities.models import AuditEvent, Community
from core.audit import record_event


class Command(BaseCommand):
    help = "Export the roster (living cadres) to .xlsx or .csv, with the template's columns."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--community", help="12-digit code of one community")

    def handle(self, *args, file, community, **options):
        queryset = Cadre.objects.living()
        if community:
            try:
                queryset = queryset.filter(community=Community.objects.get(code=community))
            except Community.DoesNotExist:
                raise CommandError(f"找不到代码为 {community} 的社区。") from None
        with open(file, "wb") as target:  # streamed: memory bounded whatever the size of the roster
            rows = write_roster(target, queryset, as_csv=file.lower().endswith(".csv"))
        record_event(kind=AuditEvent.Kind.EXPORT, username="manage.py", rows=rows, file=file, community=community or "")
        self.stdout.write(f"已导出 {rows} 人到 {file}")
