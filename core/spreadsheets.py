"""Every spreadsheet the portal hands out is written here: formula-safe cells, CSV, sheets that print on A4.

Formula safety (CWE-1236): a value typed by a user — a name, a record, an activity title — must never
become a live formula in Excel or WPS. In an .xlsx every text value is written as a string cell (never a
formula, whatever it starts with); in a CSV a text value that starts like a formula (= + - @, their
full-width forms, tab or CR) gets the OWASP quote prefix. Nothing else in the portal writes a workbook
or a CSV file (a test walks the source to keep it so).

Workbooks are write-only (streamed), so a district's 3,000-row roster costs milliseconds: body cells
carry no style of their own and the printed grid lines draw the table; the header row is bold, shaded,
frozen and repeated on every printed page, columns have widths, pages fit the A4 width and are numbered.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import BinaryIO

from django.http import FileResponse, HttpResponse
from django.utils.functional import Promise
from import_export.formats import base_formats
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
HEADER_FONT = Font(bold=True)
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


# what makes a spreadsheet read a cell as a formula or a DDE call, ASCII and full-width
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def text_cell(sheet: Worksheet, value: object) -> Cell:
    """A cell that holds ``value`` as data: text stays text (type string), numbers and dates stay themselves."""
    if isinstance(value, Promise):
        value = str(value)  # a translated label
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl makes "=..." a formula; a string cell is never evaluated
    return cell


def safe_row(sheet: Worksheet, values: Iterable[object]) -> list:
    """A row for ``sheet.append``: every plain value through ``text_cell``; prepared cells kept."""
    return [value if isinstance(value, Cell) else text_cell(sheet, value) for value in values]


def csv_value(value):
    """A CSV field that no spreadsheet evaluates: the OWASP quote prefix before a formula start."""
    if value is None:
        return ""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: Iterable[object], rows: Iterable[Iterable[object]]) -> str:
    """A whole CSV (every field quoted, formula starts neutralised), with a BOM so Excel reads UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow([csv_value(value) for value in header])
    for row in rows:
        writer.writerow([csv_value(value) for value in row])
    return "\ufeff" + buffer.getvalue()


class SafeXLSX(base_formats.XLSX):
    """django-import-export's .xlsx export, written by this module (every text a string cell)."""

    def export_data(self, dataset, **kwargs):
        workbook = new_workbook()
        sheet = workbook.create_sheet(str(dataset.title or "Sheet1")[:31])
        sheet.append(safe_row(sheet, dataset.headers or []))
        for row in dataset:
            sheet.append(safe_row(sheet, row))
        return to_bytes(workbook)


class SafeCSV(base_formats.CSV):
    """django-import-export's .csv export, written by this module (OWASP prefix on formula starts)."""

    def export_data(self, dataset, **kwargs):
        return csv_text(dataset.headers or [], dataset)


def write_table(target: BinaryIO, *, title: str, headers: list, rows: Iterable[Iterable[object]], as_csv: bool) -> int:
    """A whole table streamed into ``target`` (a binary file): memory bounded by one row, not the table.

    The .xlsx is a write-only workbook (rows go to a temporary file as they come, strings inline) with
    the header row bold and frozen; the CSV is written row by row with the BOM and the OWASP prefix.
    Returns the number of body rows.
    """
    count = 0
    if as_csv:
        text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="", write_through=True)
        writer = csv.writer(text, quoting=csv.QUOTE_ALL)
        writer.writerow([csv_value(value) for value in headers])
        for row in rows:
            writer.writerow([csv_value(value) for value in row])
            count += 1
        text.detach()  # leave ``target`` open for the caller
        return count
    tally = _Tally(rows)
    workbook = new_workbook()
    add_sheet(workbook, title, headers, tally, [14] * len(headers), landscape=True)
    workbook.save(target)
    return tally.count


class _Tally:
    """Rows passed through, counted on the way (``add_sheet`` takes any iterable)."""

    def __init__(self, rows: Iterable[Iterable[object]]):
        self.rows, self.count = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


class Percent(float):
    """A share written as a number the spreadsheet shows as a percentage."""


def new_workbook(*, write_only: bool = True) -> Workbook:
    """A workbook to fill through ``add_sheet``/``safe_row``: streamed unless a sheet needs random access."""
    return Workbook(write_only=write_only)


def add_sheet(workbook, title, headers, rows, widths, *, landscape=False, heading=None, row_height=None):
    """Append a sheet: optional heading line, the header row, then ``rows`` (values, Percent or cells)."""
    sheet = workbook.create_sheet(str(title)[:31])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    first = 2 if heading else 1
    sheet.freeze_panes = f"A{first + 1}"
    sheet.print_title_rows = f"{first}:{first}"
    setup = sheet.page_setup
    setup.paperSize = Worksheet.PAPERSIZE_A4
    setup.orientation = "landscape" if landscape else "portrait"
    setup.fitToWidth, setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.print_options.gridLines = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.oddFooter.center.text = "&P / &N"
    if heading:
        cell = text_cell(sheet, str(heading))
        cell.font = Font(bold=True, size=14)
        sheet.append([cell])
    header_cells = []
    for text in headers:
        cell = text_cell(sheet, str(text))
        cell.font, cell.fill, cell.border, cell.alignment = HEADER_FONT, HEADER_FILL, BORDER, HEADER_ALIGNMENT
        header_cells.append(cell)
    sheet.append(header_cells)
    number = first
    for row in rows:
        number += 1
        if row_height:
            sheet.row_dimensions[number].height = row_height
        values = [_percent(sheet, value) if isinstance(value, Percent) else value for value in row]
        sheet.append(safe_row(sheet, values))
    return sheet


def _percent(sheet, value):
    cell = WriteOnlyCell(sheet, value=float(value))
    cell.number_format = "0.0%"
    return cell


def xlsx_response(
    content: bytes | BinaryIO, filename: str, *, content_type: str = XLSX_CONTENT_TYPE
) -> HttpResponse | FileResponse:
    """Every .xlsx download: built in memory (bytes) or streamed from storage (an open file), the file
    name in UTF-8 (Chinese names survive), never cached (PrivateResponsesMiddleware)."""
    from urllib.parse import quote

    response: HttpResponse | FileResponse
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type=content_type)
    else:
        response = FileResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def to_file(workbook: Workbook) -> BinaryIO:
    """The workbook written into a temporary file (memory stays bounded), rewound for reading."""
    import tempfile

    target = tempfile.TemporaryFile()  # noqa: SIM115 - the caller reads it and closes it
    try:
        workbook.save(target)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target


def to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
