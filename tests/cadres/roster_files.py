"""Build roster .xlsx files the way clerks type them, for the import tests."""

import datetime
import io

from openpyxl import Workbook

from cadres.parsers import make_id_number
from cadres.roster import HEADERS


def roster_file(rows, headers=HEADERS):
    """An .xlsx with the given header row and one row per dict (header -> cell value)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def good_row(community, n=0, **overrides):
    """A correct roster row for a man born in 1950 (n varies the person)."""
    birth = datetime.date(1950, 1 + n % 12, 1 + n % 28)
    row = {
        "姓名": f"张国{'伟强明华军平'[n % 6]}{n}",
        "性别": "男",
        "出生日期": birth,
        "身份证号码": make_id_number("370114", birth, (n % 400) * 2 + 1),
        "居住社区": community.name,
        "联系电话": f"138{n:08d}",
        "是否中共党员": "是",
        "入党时间": "1975-07-01",
        "离退休类别": "退休",
    }
    row.update(overrides)
    return row
