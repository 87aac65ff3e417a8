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
    if birth_date.year < 1890 or birth_date > datetime.date.today():
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
