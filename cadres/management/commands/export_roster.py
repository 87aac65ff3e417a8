from django.core.management.base import BaseCommand, CommandError

from cadres.models import Cadre
from cadres.resources import CadreResource
from communities.models import AuditEvent, Community
from core.audit import record_event
from core.spreadsheets import SafeCSV, SafeXLSX


class Command(BaseCommand):
    help = "Export the roster (living cadres) to .xlsx or .csv, with the template's columns."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--community", help="12-digit code of one community")

    def handle(self, *args, file, community, **options):
        queryset = Cadre.objects.living().select_related("community").order_by("community__code", "name")
        if community:
            try:
                queryset = queryset.filter(community=Community.objects.get(code=community))
            except Community.DoesNotExist:
                raise CommandError(f"找不到代码为 {community} 的社区。") from None
        file_format = SafeCSV() if file.lower().endswith(".csv") else SafeXLSX()
        data = file_format.export_data(CadreResource().export(queryset=queryset))
        mode = "w" if isinstance(data, str) else "wb"
        with open(file, mode, **({"encoding": "utf-8", "newline": ""} if mode == "w" else {})) as target:
            target.write(data)
        rows = queryset.count()
        record_event(kind=AuditEvent.Kind.EXPORT, username="manage.py", rows=rows, file=file, community=community or "")
        self.stdout.write(f"已导出 {rows} 人到 {file}")
