"""Spreadsheets the portal hands to clerks and leaders: one way to write a sheet that prints legibly on A4.

Workbooks are write-only (streamed), so a district's 3,000-row roster costs milliseconds: body cells
carry no style of their own and the printed grid lines draw the table; the header row is bold, shaded,
frozen and repeated on every printed page, columns have widths, pages fit the A4 width and are numbered.
"""

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
HEADER_FONT = Font(bold=True)
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


class Percent(float):
    """A share written as a number the spreadsheet shows as a percentage."""


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


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
        cell = WriteOnlyCell(sheet, value=str(heading))
        cell.font = Font(bold=True, size=14)
        sheet.append([cell])
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=str(text))
        cell.font, cell.fill, cell.border, cell.alignment = HEADER_FONT, HEADER_FILL, BORDER, HEADER_ALIGNMENT
        header_cells.append(cell)
    sheet.append(header_cells)
    number = first
    for row in rows:
        number += 1
        if row_height:
            sheet.row_dimensions[number].height = row_height
        sheet.append([_percent(sheet, value) if isinstance(value, Percent) else value for value in row])
    return sheet


def _percent(sheet, value):
    cell = WriteOnlyCell(sheet, value=float(value))
    cell.number_format = "0.0%"
    return cell


def to_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
