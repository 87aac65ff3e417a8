"""The roster (花名册) in and out: columns, checking a file, applying it, the template.

One path for the admin screen, the command line and the Celery job: ``check_roster``
reads and checks every row (nothing is written), ``apply_roster`` writes a checked
file in one transaction. A file with any bad row writes nothing.
"""

import datetime
import difflib
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook

from cadres.models import Cadre, Gender, Unit
from cadres.models.units import kind_for
from cadres.parsers import (
    clean_text,
    make_id_number,
    parse_choice,
    parse_date,
    parse_gender,
    parse_id_number,
    parse_phone,
    parse_yes_no,
)
from communities.models import Community
from core.scope import CITY, Scope
from core.spreadsheets import new_workbook, safe_row

EXAMPLE_MARK = "示例"  # the template's example row carries this in 备注 and is skipped


@dataclass(frozen=True)
class Column:
    header: str
    attribute: str
    required: bool = False
    kind: str = "text"  # text, date, phone, bool, gender, choice, community, id


# The roster template's columns, in order (shared/DESIGN.md, "Public contracts").
COLUMNS = (
    Column("姓名", "name", required=True),
    Column("性别", "gender", required=True, kind="gender"),
    Column("出生日期", "birth_date", required=True, kind="date"),
    Column("身份证号码", "id_number", required=True, kind="id"),
    Column("居住社区", "community", required=True, kind="community"),
    Column("联系电话", "phone", kind="phone"),
    Column("民族", "ethnicity"),
    Column("离退休类别", "retirement_kind", kind="choice"),
    Column("离退休时间", "retired_on", kind="date"),
    Column("原工作单位", "former_unit", kind="unit"),
    Column("原职务职级", "former_position"),
    Column("是否中共党员", "is_party_member", kind="bool"),
    Column("入党时间", "joined_party_on", kind="date"),
    Column("组织关系是否在社区", "membership_in_community", kind="bool"),
    Column("健康状况", "health"),
    Column("居住情况", "living_situation"),
    Column("兴趣爱好", "hobbies"),
    Column("专业特长", "specialties"),
    Column("住址", "address"),
    Column("备注", "notes"),
)
HEADERS = tuple(column.header for column in COLUMNS)
# the columns of digits that must stay text in Excel (ID numbers, phones)
TEXT_COLUMNS = tuple(header for header in HEADERS if header == "身份证号码" or header.endswith("电话"))
BY_HEADER = {column.header: column for column in COLUMNS}
# 性别 and 出生日期 may be left blank: they are read from the ID number
HEADER_REQUIRED = [column.header for column in COLUMNS if column.required]
VALUE_REQUIRED = {"姓名", "身份证号码", "居住社区"}


@dataclass(frozen=True)
class RowError:
    """One reason a row cannot be imported, in a clerk's words."""

    row: int  # the Excel row number (the header is row 1)
    column: str
    message: str

    def __str__(self):
        place = _("第%(row)d行") % {"row": self.row} if self.row else _("文件")
        column = f"【{self.column}】" if self.column else ""
        return f"{place}{column}：{self.message}"


@dataclass(frozen=True)
class RowChange:
    """What one row would do, for the preview: a new cadre, or which columns of a known one change and how.
    A personal number, the address, the date of birth and health are named as changed, never shown."""

    row: int
    name: str
    new: bool
    columns: tuple[tuple[str, str, str], ...] = ()  # (header, before, after); both "" for a hidden column


CHANGES_SHOWN = 300  # the preview's first changed rows and first new ones, each


@dataclass
class RosterCheck:
    """What a file does (or would do): its errors, or how many cadres it adds, changes, leaves alone, and
    the first rows of each with what changes."""

    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[RowChange] = field(default_factory=list)

    @property
    def is_valid(self):
        return not self.errors

    @property
    def counts(self):
        return {"rows": self.rows, "new": self.new, "updated": self.updated, "unchanged": self.unchanged}


class InvalidRosterError(Exception):
    """Raised inside the write transaction when a row fails: nothing of the file is kept."""

    def __init__(self, check: RosterCheck):
        super().__init__(f"{len(check.errors)} bad rows")
        self.check = check


class RosterRefusedError(ValueError):
    """A file refused before it is parsed: too big, too many rows, or a zip that inflates too far."""


ZIP_MAGIC, OLE2_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")


def _first_sheet_member(archive: zipfile.ZipFile) -> str:
    """The zip member of the workbook's first sheet (the one calamine reads)."""
    workbook = archive.read("xl/workbook.xml").decode("utf-8", errors="replace")
    first = re.search(r'<(?:\w+:)?sheet\b[^>]*?\br:id="([^"]+)"', workbook) or re.search(
        r'<(?:\w+:)?sheet\b[^>]*?:id="([^"]+)"', workbook
    )
    rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", errors="replace")
    if first:
        for attributes in re.findall(r"<Relationship\b([^>]*)>", rels):
            if f'Id="{first.group(1)}"' in attributes:
                target = re.search(r'Target="([^"]+)"', attributes).group(1).lstrip("/")
                return target if target.startswith("xl/") else f"xl/{target}"
    sheets = sorted(name for name in archive.namelist() if name.startswith("xl/worksheets/sheet"))
    if not sheets:
        raise RosterRefusedError(_("文件中没有工作表，请上传Excel格式的花名册。"))
    return sheets[0]


def _count_rows(stream, *, stop_after: int) -> int:
    """Rows of a sheet's XML, read in 1 MB pieces (a tag cut between two pieces is counted once)."""
    count, tail = 0, b""
    while chunk := stream.read(1 << 20):
        data = tail + chunk
        count += len(_ROW_TAG.findall(data)) - len(_ROW_TAG.findall(tail))
        if count > stop_after:
            return count
        tail = data[-16:]
    return count


def inspect_roster(source) -> None:
    """Refuse a roster before it is parsed when it is over the configured limits (README "Upload limits").

    The size of the file, the inflated size of an .xlsx's parts (a zip bomb is refused before it is
    opened) and the number of rows of its first sheet, counted by streaming the sheet's XML.
    """
    from django.conf import settings

    max_bytes, max_rows = settings.ROSTER_MAX_BYTES, settings.ROSTER_MAX_ROWS
    source.seek(0, io.SEEK_END)
    size = source.tell()
    source.seek(0)
    if size > max_bytes:
        raise RosterRefusedError(
            _("文件有%(size)sMB，超过了%(max)sMB的上限，请分成几个文件导入。")
            % {"size": round(size / 1048576, 1), "max": max_bytes // 1048576}
        )
    head = source.read(4)
    source.seek(0)
    if head == OLE2_MAGIC:
        return  # an old .xls holds at most 65,536 rows; its size was checked above
    if head != ZIP_MAGIC:
        raise RosterRefusedError(_("无法读取文件，请上传Excel文件（.xlsx或.xls）。"))
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
            inflated = sum(member.file_size for member in members)
            if len(members) > 1000 or inflated > settings.ROSTER_MAX_UNCOMPRESSED_BYTES:
                raise RosterRefusedError(_("文件解压后过大，不像正常的花名册，已拒绝。请检查文件后重新导出。"))
            with archive.open(_first_sheet_member(archive)) as sheet:
                rows = _count_rows(sheet, stop_after=max_rows + 1)  # + the header row
    except (zipfile.BadZipFile, KeyError, OSError):
        raise RosterRefusedError(_("无法读取文件，请上传Excel格式（.xlsx或.xls）的花名册。")) from None
    finally:
        source.seek(0)
    if rows > max_rows + 1:
        raise RosterRefusedError(_("文件超过%(max)s行，请分成几个文件导入。") % {"max": f"{max_rows:,}"})


def _read_rows(source) -> tuple[list[str], Iterable[tuple[int, tuple]]]:
    """Header and data rows of the first sheet (.xlsx or old .xls), read by calamine (Rust, fast)."""
    if hasattr(source, "read"):
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read()
    else:
        with open(source, "rb") as handle:
            data = handle.read()
    inspect_roster(io.BytesIO(data))
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    rows = iter(sheet.iter_rows())
    header = next(rows, [])
    headers = [clean_text(cell) for cell in header]

    def cells():
        for number, values in enumerate(rows, start=2):
            if all(value is None or clean_text(value) == "" for value in values):
                continue
            yield number, tuple(values)

    return headers, cells()


class _Communities:
    """Communities of the importing user's scope, by exact name and by code (one query)."""

    def __init__(self, scope: Scope):
        self.by_code = {}
        self.by_name = defaultdict(list)
        for community in (
            Community.objects.in_scope(scope).select_related("street").only("name", "code", "street__name")
        ):
            self.by_code[community.code] = community
            self.by_name[community.name].append(community)

    def find(self, value) -> Community:
        text = clean_text(value).replace(" ", "")
        if text.isdigit() and len(text) == 12:
            if text in self.by_code:
                return self.by_code[text]
            raise ValidationError(_("找不到代码为%(code)s的社区，或不在您的管辖范围内。") % {"code": text})
        matches = self.by_name.get(text, [])
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise ValidationError(_("找不到名为“%(name)s”的社区，或不在您的管辖范围内。") % {"name": text})
        candidates = "、".join(f"{c.street.name}{c.name}（{c.code}）" for c in matches)
        raise ValidationError(
            _("有多个名为“%(name)s”的社区：%(candidates)s，请改填12位社区代码。")
            % {"name": text, "candidates": candidates}
        )


class _Units:
    """Original units by name (one query). An unknown name is a row error naming the close matches, unless
    the importer asked for new units to be created: then the unit is created with the import (and in the
    check, an unsaved unit stands for it)."""

    def __init__(self, *, create: bool):
        self.create = create
        self.by_name = {unit.name.lower(): unit for unit in Unit.objects.only("name")}

    def find(self, value) -> Unit | None:
        text = " ".join(clean_text(value).split())
        if not text:
            return None
        unit = self.by_name.get(text.lower())
        if unit is not None:
            return unit
        if not self.create:
            names = [unit.name for unit in self.by_name.values()]
            close = difflib.get_close_matches(text, names, n=3, cutoff=0.5)
            hint = _("相近的单位有：%(names)s。") % {"names": "、".join(close)} if close else ""
            raise ValidationError(
                _("找不到名为“%(name)s”的单位。%(hint)s如是新单位，请在上传时勾选“自动建立新单位”。")
                % {"name": text, "hint": hint}
            )
        unit = Unit(name=text[:100], kind=kind_for(text))
        self.by_name[text.lower()] = unit
        return unit

    def save_new(self):
        """Create the units this batch's rows named for the first time (inside the import's transaction)."""
        for unit in self.by_name.values():
            if unit.pk is None:
                unit.save()


def _max_lengths():
    return {f.name: f.max_length for f in Cadre._meta.get_fields() if getattr(f, "max_length", None) and f.concrete}


def _parse_row(number, cells, columns, communities, units, max_lengths):
    """The values of one row and its errors."""
    values, errors = {}, []
    for column, cell in zip(columns, cells, strict=False):
        if column is None:
            continue
        try:
            if column.kind == "date":
                value = parse_date(cell)
            elif column.kind == "phone":
                value = parse_phone(cell)
            elif column.kind == "bool":
                value = bool(parse_yes_no(cell))
            elif column.kind == "gender":
                value = parse_gender(cell)
            elif column.kind == "choice":
                value = parse_choice(cell, Cadre.RetirementKind.choices) or Cadre.RetirementKind.TUIXIU
            elif column.kind == "community":
                value = communities.find(cell) if clean_text(cell) else None
            elif column.kind == "unit":
                value = units.find(cell)
            elif column.kind == "id":
                if isinstance(cell, float):
                    raise ValidationError(
                        _("身份证号码被Excel存成了数字，后几位已经丢失；请把这一列设为“文本”格式后重新填写。")
                    )
                text = clean_text(cell)
                if "*" in text:
                    raise ValidationError(_("身份证号码已脱敏（含*），无法导入，请填写完整号码。"))
                value = parse_id_number(text).number if text else ""
            else:
                value = clean_text(cell)
                limit = max_lengths.get(column.attribute)
                if limit and len(value) > limit:
                    raise ValidationError(
                        _("不能超过%(limit)d个字（现有%(length)d个）。") % {"limit": limit, "length": len(value)}
                    )
        except ValidationError as error:
            errors.append(RowError(number, column.header, " ".join(error.messages)))
            continue
        values[column.attribute] = value
    for header in VALUE_REQUIRED:
        attribute = BY_HEADER[header].attribute
        if attribute in values and not values[attribute]:
            errors.append(RowError(number, header, _("必填，不能为空。")))
    return values, errors


def _reconcile_with_id(number, values, errors):
    """Birth date and gender agree with the ID number, or are filled from it."""
    if not values.get("id_number"):
        return
    parsed = parse_id_number(values["id_number"])
    if values.get("birth_date") is None:
        values["birth_date"] = parsed.birth_date
    elif values["birth_date"] != parsed.birth_date:
        errors.append(
            RowError(number, "出生日期", _("与身份证号码不一致（号码中为%(date)s）。") % {"date": parsed.birth_date})
        )
    if not values.get("gender"):
        values["gender"] = parsed.gender
    elif values["gender"] != parsed.gender:
        errors.append(
            RowError(
                number,
                "性别",
                _("与身份证号码不一致（号码中为%(gender)s）。") % {"gender": Gender(parsed.gender).label},
            )
        )
    if values.get("joined_party_on") and values.get("is_party_member") is False:
        errors.append(RowError(number, "入党时间", _("“是否中共党员”填了“否”，不应填写入党时间。")))


BATCH = 1000


def _run(source, *, scope: Scope, write: bool, by=None, progress=None, create_units=False) -> RosterCheck:
    """Stream the file in batches of 1,000 rows: parse, check, and (``write``) save each batch.

    Only the ID numbers seen so far are kept across batches, so memory does not grow with the
    number of rows beyond the file itself.
    """
    result = RosterCheck()
    try:
        headers, rows = _read_rows(source)
    except RosterRefusedError as refused:
        result.errors.append(RowError(0, "", str(refused)))
        return result
    except Exception:  # noqa: BLE001 - any unreadable file gets the same answer
        result.errors.append(RowError(0, "", _("无法读取文件，请上传Excel格式（.xlsx或.xls）的花名册。")))
        return result
    missing = [header for header in HEADER_REQUIRED if header not in headers]
    if missing:
        result.errors.append(RowError(1, "", _("缺少必需的列：%(columns)s。") % {"columns": "、".join(missing)}))
        return result
    columns = [BY_HEADER.get(header) for header in headers]
    present = [column.attribute for column in columns if column is not None]
    note_index = headers.index("备注") if "备注" in headers else None
    context = {
        "communities": _Communities(scope),
        "units": _Units(create=create_units),
        "max_lengths": _max_lengths(),
    }
    first_row_of = {}  # ID number -> the first row that gave it
    batch = []
    for number, cells in rows:
        note = cells[note_index] if note_index is not None and note_index < len(cells) else ""
        if clean_text(note).startswith(EXAMPLE_MARK):
            continue
        batch.append((number, cells))
        if len(batch) == BATCH:
            _run_batch(batch, columns, present, context, first_row_of, scope, result, write, by)
            batch = []
            if progress:
                progress(result.rows)
    _run_batch(batch, columns, present, context, first_row_of, scope, result, write, by)
    result.errors.sort(key=lambda error: (error.row, HEADERS.index(error.column) if error.column in HEADERS else -1))
    return result


def _run_batch(batch, columns, present, context, first_row_of, scope, result, write, by):
    from core.privacy import digest

    parsed = []
    for number, cells in batch:
        result.rows += 1
        values, errors = _parse_row(
            number, cells, columns, context["communities"], context["units"], context["max_lengths"]
        )
        if not any(error.column in ("身份证号码", "出生日期", "性别") for error in errors):
            _reconcile_with_id(number, values, errors)
        id_number = values.get("id_number")
        if id_number and id_number in first_row_of:
            other = first_row_of[id_number]
            errors.append(RowError(number, "身份证号码", _("与第%(row)d行重复。") % {"row": other}))
            result.errors.append(RowError(other, "身份证号码", _("与第%(row)d行重复。") % {"row": number}))
        elif id_number:
            first_row_of[id_number] = number
        result.errors.extend(errors)
        if not errors:
            parsed.append((number, values))
    existing = _existing_by_digest([values["id_number"] for _number, values in parsed])
    in_scope = set(
        Cadre.objects.in_scope(scope).filter(pk__in=[c.pk for c in existing.values()]).values_list("pk", flat=True)
    )
    new, changed = [], []
    for number, values in parsed:
        cadre = existing.get(digest(values["id_number"]))
        if cadre is None:
            result.new += 1
            new.append(Cadre(**values))
            if result.new <= CHANGES_SHOWN:
                result.changes.append(
                    RowChange(number, values["name"], True, (("居住社区", "", str(values["community"])),))
                )
        elif cadre.pk not in in_scope:
            result.errors.append(
                RowError(number, "身份证号码", _("该身份证号码已登记在您管辖范围以外的社区，请联系区局处理。"))
            )
        else:
            fields = [name for name in present if name in values and getattr(cadre, name) != values[name]]
            if fields and result.updated < CHANGES_SHOWN:
                columns = tuple(_change(name, getattr(cadre, name), values[name]) for name in fields)
                result.changes.append(RowChange(number, values.get("name") or cadre.name, False, columns))
            if fields:
                for name in fields:
                    setattr(cadre, name, values[name])
                result.updated += 1
                changed.append((cadre, fields))
            else:
                result.unchanged += 1
    if write and not result.errors:
        # once a row has failed, the rest is only checked (to list every bad row) and the
        # transaction is rolled back by apply_roster
        context["units"].save_new()  # before the cadres that point to them
        _write(new, changed, by)


_HEADER_OF = {column.attribute: column.header for column in COLUMNS}
_HIDDEN = set(Cadre.SENSITIVE_FIELDS)


def _change(name, before, after) -> tuple[str, str, str]:
    if name in _HIDDEN:
        return (_HEADER_OF[name], "", "")
    return (_HEADER_OF[name], _shown(name, before), _shown(name, after))


def _shown(name, value) -> str:
    """A value as the clerk typed it in the sheet: 是/否, a date, a choice's label, a community's name."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):  # the community
        return str(value)
    choices = dict(Cadre._meta.get_field(name).flatchoices)
    return str(choices.get(value, value))


def _existing_by_digest(numbers):
    from core.privacy import digest

    digests = [digest(number) for number in numbers]
    found = {}
    for start in range(0, len(digests), 500):  # stay under SQLite's variable limit
        for cadre in Cadre.objects.filter(id_number_digest__in=digests[start : start + 500]).select_related(
            "community", "former_unit"
        ):
            found[cadre.id_number_digest] = cadre
    return found


def _write(new, changed, by):
    """One batch: new cadres and changed ones, each with its history line."""
    reason = _("导入花名册")
    for cadre in new:
        cadre.refresh_search_keys()
    created = Cadre.objects.bulk_create(new)
    Cadre.history.bulk_history_create(created, default_user=by, default_change_reason=reason)
    if changed:
        now = datetime.datetime.now(datetime.UTC)
        fields = {"name_pinyin", "name_initials", "phone_tail", "id_number_digest", "updated_at"}
        for cadre, names in changed:
            cadre.refresh_derived_fields()
            cadre.updated_at = now
            fields.update(names)
        cadres = [cadre for cadre, _names in changed]
        Cadre.objects.bulk_update(cadres, sorted(fields))
        Cadre.history.bulk_history_create(cadres, update=True, default_user=by, default_change_reason=reason)


def check_roster(
    source,
    *,
    scope: Scope = CITY,
    progress: Callable[[int], None] | None = None,
    create_units: bool = False,
) -> RosterCheck:
    """Read and check every row of a roster file; nothing is written."""
    return _run(source, scope=scope, write=False, progress=progress, create_units=create_units)


def apply_roster(source, *, scope: Scope = CITY, by=None, progress=None, create_units=False) -> RosterCheck:
    """Import a roster file in one transaction; any bad row raises InvalidRosterError and nothing is kept.
    With ``create_units``, unit names not known yet become new units (原单位) with the import."""
    with transaction.atomic():
        result = _run(source, scope=scope, write=True, by=by, progress=progress, create_units=create_units)
        if not result.is_valid:
            raise InvalidRosterError(result)  # rolls back every batch already written
    return result


def error_workbook(errors: list[RowError]) -> bytes:
    """An .xlsx listing every bad row (row, column, reason) for the clerk to fix."""
    workbook = new_workbook(write_only=False)
    sheet = workbook.active
    sheet.title = _("错误清单")
    sheet.append(safe_row(sheet, [_("Excel行号"), _("列"), _("原因")]))
    for error in errors:
        sheet.append(safe_row(sheet, [error.row, error.column, error.message]))
    _style_header(sheet, widths=[12, 18, 80])
    return _save(workbook)


def template_workbook(*, communities: list[str] | None = None) -> bytes:
    """The roster template: header row, drop-down lists for closed columns, one example row."""
    workbook = new_workbook(write_only=False)
    sheet = workbook.active
    sheet.title = _("花名册")
    sheet.append(safe_row(sheet, list(HEADERS)))
    example = {
        "姓名": "张国伟",
        "性别": "男",
        "出生日期": "1950-03-04",
        "身份证号码": make_id_number("370114", datetime.date(1950, 3, 4), 123),
        "居住社区": (communities or ["某某社区"])[0],
        "联系电话": "13812345678",
        "民族": "汉族",
        "离退休类别": "退休",
        "离退休时间": "2010-03",
        "原工作单位": "区教育局",
        "原职务职级": "正科级",
        "是否中共党员": "是",
        "入党时间": "1975-07-01",
        "组织关系是否在社区": "是",
        "健康状况": "良好",
        "居住情况": "与配偶同住",
        "兴趣爱好": "书画",
        "专业特长": "书法",
        "住址": "某某小区1号楼",
        "备注": _("示例行，导入时自动跳过，可删除"),
    }
    sheet.append(safe_row(sheet, [str(example[header]) for header in HEADERS]))
    for cell in sheet[2]:
        cell.font = Font(italic=True, color="808080")
    lists = {"性别": '"男,女"', "离退休类别": '"离休,退休"', "是否中共党员": '"是,否"', "组织关系是否在社区": '"是,否"'}
    if communities:
        names = workbook.create_sheet(_("社区名单"))
        for name in communities:
            names.append(safe_row(names, [name]))
        names.sheet_state = "hidden"
        lists["居住社区"] = f"'{names.title}'!$A$1:$A${len(communities)}"
    for header, formula in lists.items():
        letter = sheet.cell(row=1, column=HEADERS.index(header) + 1).column_letter
        validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True)
        validation.error = _("请从下拉列表中选择。")
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}5000")
    _style_header(sheet, widths=[10, 6, 12, 22, 16, 14, 8, 10, 12, 18, 14, 12, 12, 16, 10, 12, 12, 12, 24, 24])
    for column in COLUMNS:
        if column.required:
            sheet.cell(row=1, column=HEADERS.index(column.header) + 1).font = Font(bold=True, color="B71C1C")
    # numbers that are not numbers: typed into a text column, Excel keeps every digit (no 3.70114E+17,
    # no lost leading zero, no X turned into an error)
    for header in TEXT_COLUMNS:
        index = HEADERS.index(header) + 1
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].number_format = "@"
        sheet.cell(row=2, column=index).number_format = "@"  # the example; new cells take the column's
    return _save(workbook)


def _style_header(sheet, *, widths):
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F3E5E5")
        cell.alignment = Alignment(vertical="center")
    sheet.freeze_panes = "A2"


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
