"""Property tests for the roster parsers: whatever a clerk types, the answer is right or a clear refusal."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from cadres.parsers import (
    EXCEL_EPOCH,
    clean_text,
    make_id_number,
    parse_date,
    parse_id_number,
    parse_phone,
    parse_yes_no,
)

DATES = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2030, 12, 31))
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@given(
    DATES,
    st.sampled_from(
        [
            "{:%Y-%m-%d}",
            "{d.year}/{d.month}/{d.day}",
            "{d.year}.{d.month}.{d.day}",
            "{d.year}年{d.month}月{d.day}日",
            "{:%Y%m%d}",
        ]
    ),
)
def test_every_usual_written_form_of_a_date_reads_back_as_that_date(date, form):
    text = form.format(date, d=date)
    assert parse_date(text) == date
    assert parse_date(f"  {text.translate(FULL_WIDTH)}　") == date  # full-width digits, stray spaces


@given(DATES)
def test_excel_date_cells_and_serial_numbers_read_as_dates(date):
    assert parse_date(date) == date
    assert parse_date(datetime.datetime.combine(date, datetime.time(0, 0))) == date
    assert parse_date((date - EXCEL_EPOCH).days) == date


@given(st.text(alphabet="abcxyz!?#天地", min_size=1, max_size=10))
def test_text_that_is_no_date_is_refused_with_the_forms_we_accept(text):
    with pytest.raises(ValidationError) as error:
        parse_date(text)
    assert "1950-03-04" in error.value.messages[0]


@pytest.mark.parametrize("text", ["1950-02-30", "1950/13/1", "1950年2月29日"])
def test_impossible_dates_are_refused(text):
    with pytest.raises(ValidationError, match="不存在"):
        parse_date(text)


@given(st.sampled_from("3456789"), st.integers(min_value=0, max_value=999_999_999))
def test_every_mobile_number_is_normalised_whatever_the_separators(second, rest):
    number = f"1{second}{rest:09d}"
    for written in (
        number,
        f"+86 {number}",
        f"{number[:3]}-{number[3:7]}-{number[7:]}",
        f"86{number}",
        number.translate(FULL_WIDTH),
        f" {number[:3]} {number[3:7]} {number[7:]} ",
    ):
        assert parse_phone(written) == number


@given(st.text(alphabet="0123456789", min_size=1, max_size=6))
def test_too_short_numbers_are_refused(digits):
    with pytest.raises(ValidationError, match="格式不对"):
        parse_phone(digits)


def test_landlines_keep_their_area_code():
    assert parse_phone("0531 83211234") == "0531-83211234"
    assert parse_phone("(010)12345678") == "010-12345678"
    assert parse_phone(13812345678.0) == "13812345678"  # a number cell


@given(DATES.filter(lambda d: d.year < 2000), st.integers(min_value=0, max_value=999))
def test_an_old_15_digit_number_upgrades_to_the_18_digit_one(birth, sequence):
    number = make_id_number("370114", birth, sequence)
    old = number[:6] + number[8:17]
    assert parse_id_number(old).number == number


@given(st.sampled_from(["是", "否", " 是 ", "Y", "n", "√", "×", "1", "0"]))
def test_yes_no_cells(value):
    assert parse_yes_no(value) in (True, False)


@given(st.text())
def test_clean_text_never_leaves_edge_spaces_or_full_width_digits(text):
    cleaned = clean_text(text)
    assert cleaned == cleaned.strip()
    assert not any("０" <= ch <= "９" for ch in cleaned)
