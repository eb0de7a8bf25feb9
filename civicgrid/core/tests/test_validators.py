from datetime import date

import pytest

from civicgrid.core.errors import ValidationError
from civicgrid.core.validators import (
    credit_code_problem,
    id_check_digit,
    id_number_problem,
    phone_problem,
    typed_day,
    uscc_check_char,
)


def make_id(first17: str) -> str:
    return first17 + id_check_digit(first17)


def test_known_valid_id_number_passes() -> None:
    # The GB 11643-1999 standard's own example.
    assert id_number_problem("11010519491231002X") is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("11010519491231002", "18位"),
        ("110105194912310021", "校验位"),
        ("110105194913310028", "出生日期"),
        ("1101051949123100AX", "18位"),
        ("110105212001010010", "合理范围"),
    ],
)
def test_bad_id_numbers_say_why(value: str, reason: str) -> None:
    problem = id_number_problem(value, today=date(2026, 11, 22))
    assert problem is not None and reason in problem


def test_lowercase_x_is_accepted() -> None:
    assert id_number_problem("11010519491231002x") is None


def test_generated_id_numbers_round_trip() -> None:
    assert id_number_problem(make_id("32021319900307123")) is None


def test_credit_code_check_character() -> None:
    # Published example code of a real enterprise registration (GB 32100 format).
    assert credit_code_problem("91350100M000100Y43") is None
    assert uscc_check_char("91350100M000100Y4") == "3"
    bad = credit_code_problem("91350100M000100Y44")
    assert bad is not None and "校验" in bad
    assert "18位" in (credit_code_problem("9135") or "")
    assert "不允许" in (credit_code_problem("91350100M000100YI3") or "")


@pytest.mark.parametrize("value", ["13812345678", "0510-82345678", "051082345678", "19912345678"])
def test_good_phones(value: str) -> None:
    assert phone_problem(value) is None


@pytest.mark.parametrize("value", ["1381234567", "23812345678", "12345", "abc", "138-1234-5678x"])
def test_bad_phones(value: str) -> None:
    assert phone_problem(value) is not None


def test_typed_day_reads_a_day_with_spaces_around_it() -> None:
    assert typed_day(" 2026-10-08 ", field="start", label="开始日期") == date(2026, 10, 8)


@pytest.mark.parametrize("value", ["2026-02-30", "2026-13-01", "2026-1-8", "明天", ""])
def test_typed_day_refuses_naming_the_field(value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        typed_day(value, field="start", label="开始日期")
    assert caught.value.errors == {"start": ["开始日期应为有效日期，格式 YYYY-MM-DD，例如 2026-10-08"]}
