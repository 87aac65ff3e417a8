"""Cleaning of roster values: one set of parsers used by forms, imports and the demo.

Each parser takes what a clerk typed (or an Excel cell) and returns the clean
value, or raises ``ValidationError`` with a message a clerk can act on.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import dates

# GB 11643-1999: weights of the first 17 digits and the check characters.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"


def clean_text(value) -> str:
    """Trim spaces (full-width included) and fold full-width letters and digits."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"\s+", " ", text).strip()


def id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


@dataclass(frozen=True)
class IdNumber:
    """A checked 18-character resident ID number and what it tells."""

    number: str
    birth_date: datetime.date
    gender: str  # "M" or "F"


def parse_id_number(value) -> IdNumber:
    """Check an ID number by GB 11643; a 15-digit old number is upgraded to 18."""
    text = clean_text(value).replace(" ", "").upper()
    if re.fullmatch(r"\d{15}", text):
        # 15-digit numbers (before 1999) carry a 2-digit year of the 1900s and no check digit
        first17 = text[:6] + "19" + text[6:]
        text = first17 + id_check_char(first17)
    if not re.fullmatch(r"\d{17}[\dX]", text):
        raise ValidationError(_("身份证号码应为18位（最后一位可为X）或15位旧号码。"), code="id_format")
    try:
        birth_date = datetime.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号码中的出生日期无效。"), code="id_birth_date") from None
    earliest, latest = dates.in_life.bounds()  # the roster's own bounds on a birth date: 1900 to today
    if not earliest <= birth_date <= latest:
        raise ValidationError(_("身份证号码中的出生日期无效。"), code="id_birth_date")
    if id_check_char(text[:17]) != text[17]:
        raise ValidationError(_("身份证号码校验位不正确，请核对是否录错。"), code="id_check_digit")
    gender = "M" if int(text[16]) % 2 == 1 else "F"
    return IdNumber(number=text, birth_date=birth_date, gender=gender)


def validate_id_number(value):
    """Model-field validator: the value must be a valid ID number (clean() then stores its 18-digit form)."""
    parse_id_number(value)


def make_id_number(region: str, birth_date: datetime.date, sequence: int) -> str:
    """Build a valid ID number (for demo data and tests): region, birth date, 3-digit sequence."""
    first17 = f"{region}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


# --- roster cells -------------------------------------------------------------------------

EXCEL_EPOCH = datetime.date(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year quirk)
DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
MONTH_PATTERNS = (  # 离退休时间 and 入党时间 are often written to the month only
    re.compile(r"^(\d{4})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月?$"),
)


def parse_date(value) -> datetime.date | None:
    """An Excel date cell or a written date (1950-03-04, 1950/3/4, 1950.3.4, 1950年3月4日); blank is None."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 80_000:  # an Excel serial number left as a number
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        value = str(int(value))
    text = clean_text(value).replace(" ", "")
    if not text:
        return None
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return datetime.date(year, month, day)
            except ValueError:
                raise ValidationError(_("日期“%(value)s”不存在。") % {"value": text}, code="date_invalid") from None
    for pattern in MONTH_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month = (int(part) for part in match.groups())
            try:
                return datetime.date(year, month, 1)
            except ValueError:
                raise ValidationError(_("日期“%(value)s”不存在。") % {"value": text}, code="date_invalid") from None
    raise ValidationError(
        _("无法识别日期“%(value)s”，请写成1950-03-04、1950/3/4、1950.3.4或1950年3月4日。") % {"value": text},
        code="date_format",
    )


def parse_phone(value) -> str:
    """A mobile (13812345678, with +86, spaces or dashes) or a landline (0531-83211234); blank is ""."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(value)
    if not text:
        return ""
    digits = re.sub(r"[\s\-()（）]", "", text)
    digits = re.sub(r"^(\+?86)(?=1\d{10}$)", "", digits)
    if re.fullmatch(r"1[3-9]\d{9}", digits):
        return digits
    if re.fullmatch(r"0\d{2,3}\d{7,8}", digits):
        area = 3 if digits[:3] in ("010",) or digits[1] == "2" else 4
        return f"{digits[:area]}-{digits[area:]}"
    if re.fullmatch(r"\d{7,8}", digits):
        return digits  # a local landline without the area code
    raise ValidationError(_("电话号码“%(value)s”格式不对：手机应为11位，座机如0531-83211234。") % {"value": text})


YES = {"是", "y", "yes", "1", "√", "true", "党员", "中共党员"}
NO = {"否", "n", "no", "0", "×", "false", "非党员", "群众"}


def parse_yes_no(value) -> bool | None:
    """是/否 (and the usual variants); blank is None."""
    if isinstance(value, bool):
        return value
    text = clean_text(value).lower()
    if not text:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValidationError(_("应填“是”或“否”，而不是“%(value)s”。") % {"value": text})


def parse_gender(value) -> str:
    """男/女 → "M"/"F"; blank is ""."""
    text = clean_text(value).upper()
    if not text:
        return ""
    if text in ("男", "M", "男性"):
        return "M"
    if text in ("女", "F", "女性"):
        return "F"
    raise ValidationError(_("性别应填“男”或“女”，而不是“%(value)s”。") % {"value": text})


def parse_choice(value, choices) -> str:
    """A closed-list cell by its label (离休/退休…); blank is ""."""
    text = clean_text(value)
    if not text:
        return ""
    for key, label in choices:
        if text in (str(label), key):
            return key
    labels = "、".join(str(label) for _key, label in choices)
    raise ValidationError(_("应填%(labels)s之一，而不是“%(value)s”。") % {"labels": labels, "value": text})
