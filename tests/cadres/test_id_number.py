import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from cadres.parsers import ID_CHECK_CHARS, id_check_char, make_id_number, parse_id_number

REGIONS = st.sampled_from(["370114", "110101", "330624", "440305"])
BIRTH_DATES = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2005, 12, 31))
SEQUENCES = st.integers(min_value=0, max_value=999)


def test_a_known_valid_number_is_accepted():
    parsed = parse_id_number("11010519491231002X")
    assert parsed.number == "11010519491231002X"
    assert parsed.birth_date == datetime.date(1949, 12, 31)
    assert parsed.gender == "F"


def test_a_wrong_check_digit_is_refused_with_a_clear_reason():
    with pytest.raises(ValidationError) as error:
        parse_id_number("110105194912310021")
    assert "校验位" in error.value.messages[0]


def test_a_15_digit_old_number_is_upgraded_to_18():
    parsed = parse_id_number("370114500304031")
    assert parsed.number == "37011419500304031" + id_check_char("37011419500304031")
    assert parsed.birth_date == datetime.date(1950, 3, 4)
    assert parsed.gender == "M"


def test_full_width_digits_spaces_and_a_lower_case_x_are_cleaned():
    assert parse_id_number("　１１０１０５１９４９１２３１００２x ").number == "11010519491231002X"


@pytest.mark.parametrize("value", ["", "12345", "11010519491331002X", "1101051949123100AX", "11010520991231002X"])
def test_malformed_numbers_are_refused(value):
    with pytest.raises(ValidationError):
        parse_id_number(value)


@given(REGIONS, BIRTH_DATES, SEQUENCES)
def test_every_generated_valid_number_passes(region, birth_date, sequence):
    number = make_id_number(region, birth_date, sequence)
    parsed = parse_id_number(number)
    assert parsed.number == number
    assert parsed.birth_date == birth_date
    assert parsed.gender == ("M" if sequence % 2 else "F")


@given(REGIONS, BIRTH_DATES, SEQUENCES, st.integers(min_value=0, max_value=17), st.integers(min_value=1, max_value=10))
def test_every_single_character_change_fails(region, birth_date, sequence, position, shift):
    number = make_id_number(region, birth_date, sequence)
    alphabet = ID_CHECK_CHARS if position == 17 else "0123456789"
    replacement = alphabet[(alphabet.index(number[position]) + shift) % len(alphabet)]
    if replacement == number[position]:
        return
    changed = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(ValidationError):
        parse_id_number(changed)
