"""The roster screens of the admin: template, upload, preview, confirm, progress, errors."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cadres.models import RosterImport
from cadres.roster import (
    CHANGES_SHOWN,
    HEADERS,
    RosterRefusedError,
    error_workbook,
    inspect_roster,
    template_workbook,
)
from cadres.roster import RowChange as _RowChange
from cadres.roster import RowError as _RowError
from cadres.tasks import discard, queue, retry, send
from communities.models import Community
from core.files import removed_on_failure
from core.forms import posted, posted_files
from core.spreadsheets import xlsx_response


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("花名册文件（.xlsx或.xls）"))
    create_units = forms.BooleanField(
        label=gettext_lazy("自动建立新单位"),
        required=False,
        help_text=gettext_lazy(
            "“原工作单位”填了系统里还没有的单位时：勾选则随导入建立该单位，不勾选则列为错误并提示相近的单位。"
        ),
    )

    def clean_file(self):
        """Checked by content, size and row count before it is kept: nothing over the limits is stored."""
        upload = self.cleaned_data["file"]
        try:
            inspect_roster(upload)
        except RosterRefusedError as refused:
            raise forms.ValidationError(str(refused)) from None
        return upload


def _require_import_permission(request):
    if not (request.user.has_perm("cadres.add_cadre") and request.user.has_perm("cadres.change_cadre")):
        raise PermissionDenied


def _context(model_admin, request, **extra):
    return {**model_admin.admin_site.each_context(request), "opts": model_admin.model._meta, **extra}


def roster_template(model_admin, request):
    """Download the roster template, with the user's communities in the 居住社区 drop-down."""
    _require_import_permission(request)
    names = list(Community.objects.for_user(request.user).order_by("code").values_list("name", flat=True)[:2000])
    return xlsx_response(template_workbook(communities=names), _("花名册模板.xlsx"))


def roster_upload(model_admin, request):
    """Upload a roster; it is checked by a job and previewed before anything is written."""
    _require_import_permission(request)
    form = RosterUploadForm(posted(request), posted_files(request))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with removed_on_failure(), transaction.atomic():
            roster_import = RosterImport.objects.create(
                file=upload,
                file_name=upload.name[:200],
                created_by=request.user,
                queued_at=timezone.now(),
                create_units=form.cleaned_data["create_units"],
            )
            send(roster_import)
        return redirect("admin:cadres_cadre_import_status", roster_import.pk)
    recent = RosterImport.objects.for_user(request.user)[:10]
    return TemplateResponse(
        request,
        "admin/cadres/roster_upload.html",
        _context(model_admin, request, form=form, headers=HEADERS, recent=recent, title=_("导入花名册")),
    )


def roster_status(model_admin, request, pk):
    """The import's progress, its errors, or its preview with the confirm button."""
    _require_import_permission(request)
    roster_import = get_object_or_404(RosterImport.objects.for_user(request.user), pk=pk)
    if request.method == "POST":
        with transaction.atomic():
            locked = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
            action = request.POST.get("action", "confirm")
            if action == "retry":
                if retry(locked):
                    messages.success(request, _("已重新开始处理这个文件。"))
                else:
                    messages.warning(request, _("这个导入不能重试（文件已删除或已完成），请重新上传。"))
            elif action == "discard":
                if discard(locked):
                    messages.success(request, _("已放弃这次导入，文件已删除。"))
                else:
                    messages.warning(request, _("这个导入没有可删除的文件。"))
            elif locked.status == RosterImport.Status.CHECKED:
                queue(locked, RosterImport.Status.IMPORTING)
            else:
                messages.warning(request, _("这个文件已经处理过，不会重复导入。"))
        return redirect("admin:cadres_cadre_import_status", roster_import.pk)
    errors = [_RowError(row, column, message) for row, column, message in roster_import.errors[:1000]]
    percent = int(100 * roster_import.progress / roster_import.rows) if roster_import.rows else 0
    changes = [_RowChange(row, name, new, columns) for row, name, new, columns in roster_import.changes]
    return TemplateResponse(
        request,
        "admin/cadres/roster_status.html",
        _context(
            model_admin,
            request,
            roster_import=roster_import,
            errors=errors,
            more_errors=max(0, len(roster_import.errors) - len(errors)),
            percent=percent,
            changed_rows=[change for change in changes if not change.new],
            new_rows=[change for change in changes if change.new],
            changes_shown=CHANGES_SHOWN,
            title=_("导入花名册：%(name)s") % {"name": roster_import.file_name},
        ),
    )


def roster_errors(model_admin, request, pk):
    """Every bad row of an import as an .xlsx, to fix and upload again."""
    _require_import_permission(request)
    roster_import = get_object_or_404(RosterImport.objects.for_user(request.user), pk=pk)
    errors = [_RowError(row, column, message) for row, column, message in roster_import.errors]
    return xlsx_response(error_workbook(errors), _("花名册错误清单-%(pk)d.xlsx") % {"pk": roster_import.pk})
