"""decimal_value and whole_value: the one reading of a typed number behind the party lists,
the points rules and hours, and the volunteers' hours, difficulty and quota."""

from decimal import Decimal
from typing import Any

import pytest

from civicgrid.core.validators import decimal_value, whole_value
from civicgrid.party.models import Project
from civicgrid.volunteers.models import ServiceOrder

LONG = "9" * 4301  # one digit more than int() reads from text (it raises ValueError)
HUGE = 10**4301  # an int whose text int() would refuse to write or read


def budget(raw: Any, **kw: Any) -> tuple[Decimal | None, dict[str, list[str]]]:
    """A budget: DECIMAL(12, 2), so 10 whole digits and 2 decimals, not negative."""
    errors: dict[str, list[str]] = {}
    kw.setdefault("column", Project._meta.get_field("budget"))
    return decimal_value(raw, errors=errors, field="budget", label="预算", **kw), errors


def count(raw: Any, **kw: Any) -> tuple[int | None, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    kw.setdefault("maximum", 1000)
    return whole_value(raw, errors=errors, field="quota", label="招募人数", minimum=1, **kw), errors


@pytest.mark.parametrize(
    "raw",
    ["NaN", "nan", "sNaN", "Infinity", "inf", "-inf", "-Infinity", float("nan"), float("inf"), True, "一百"],
)
def test_what_is_no_number_is_refused_naming_the_field(raw: Any) -> None:
    assert budget(raw) == (None, {"budget": ["预算应为数字"]})


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("1e30", "预算最多10位整数、2位小数"),
        ("10000000000", "预算最多10位整数、2位小数"),
        ("-10000000000", "预算不能为负数"),
        (LONG, "预算最多10位整数、2位小数"),
        (Decimal(LONG), "预算最多10位整数、2位小数"),
        pytest.param(HUGE, "预算最多10位整数、2位小数", id="huge-int"),
        ("12.345", "预算最多保留2位小数"),
        ("0." + "0" * 4300 + "1", "预算最多保留2位小数"),
        ("1e-999999999999", "预算最多保留2位小数"),
        ("-1", "预算不能为负数"),
        ("-0.01", "预算不能为负数"),
    ],
)
def test_a_number_its_column_cannot_hold_is_refused_not_rounded(raw: Any, reason: str) -> None:
    assert budget(raw) == (None, {"budget": [reason]})


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("9999999999.99", Decimal("9999999999.99")),
        (" 12.5 ", Decimal("12.50")),
        ("１２．５", Decimal("12.50")),  # full-width, as a Chinese keyboard types it
        (12, Decimal("12.00")),
        (0.1, Decimal("0.10")),  # as written, not 0.1000000000000000055511151231257827
        (Decimal("1.500"), Decimal("1.50")),  # trailing zeros are no extra decimals
        ("1" + "0" * 5 + "." + "0" * 4300, Decimal("100000.00")),
        ("-0", Decimal("0.00")),
    ],
)
def test_a_number_that_fits_comes_back_as_its_column_keeps_it(raw: Any, kept: Decimal) -> None:
    value, errors = budget(raw)
    assert errors == {} and value == kept and str(value) == str(kept)


def test_explicit_digits_instead_of_a_column() -> None:
    assert budget("123.4", column=None, max_digits=4, decimal_places=1) == (Decimal("123.4"), {})
    assert budget("1234", column=None, max_digits=4, decimal_places=1) == (
        None,
        {"budget": ["预算最多3位整数、1位小数"]},
    )
    assert budget("2.5", column=None, max_digits=4, decimal_places=0) == (None, {"budget": ["预算应为整数"]})
    with pytest.raises(TypeError):
        budget("1", column=None)


def test_hours_between_bounds_name_the_bounds_and_the_unit() -> None:
    errors: dict[str, list[str]] = {}
    column = ServiceOrder._meta.get_field("hours")
    kw: dict[str, Any] = {"field": "hours", "label": "服务时长", "column": column, "unit": "小时"}
    kw |= {"minimum": Decimal("0.5"), "maximum": 24}
    for raw in ("0.4", "24.1", "1e30", "-1", LONG):
        assert decimal_value(raw, errors=errors, **kw) is None
    assert decimal_value("NaN", errors=errors, **kw) is None
    assert decimal_value("1.55", errors=errors, **kw) is None
    assert errors == {
        "hours": [*["服务时长应在0.5到24小时之间"] * 5, "服务时长应为数字（小时）", "服务时长最多保留1位小数"]
    }
    assert decimal_value("1.50", errors=errors, **kw) == Decimal("1.5")
    assert decimal_value("24", errors=errors, **kw) == Decimal("24.0")


def test_one_bound_alone() -> None:
    assert budget("101", minimum=None, maximum=100) == (None, {"budget": ["预算不能超过100"]})
    assert budget("101", maximum=100) == (None, {"budget": ["预算应在0到100之间"]})
    assert budget("-5", minimum=None) == (Decimal("-5.00"), {})
    assert budget("0.5", minimum=1) == (None, {"budget": ["预算不能小于1"]})


@pytest.mark.parametrize("raw", [None, "", "   ", "\u200b"])
def test_nothing_typed_is_missing_when_required_and_none_when_optional(raw: Any) -> None:
    assert budget(raw) == (None, {"budget": ["请填写预算"]})
    assert budget(raw, required=False) == (None, {})
    assert count(raw) == (None, {"quota": ["请填写招募人数"]})
    assert count(raw, required=False) == (None, {})


def test_reasons_are_added_to_those_already_there() -> None:
    errors = {"budget": ["请先选择项目"]}
    assert (
        decimal_value("NaN", errors=errors, field="budget", label="预算", max_digits=4, decimal_places=2)
        is None
    )
    assert errors == {"budget": ["请先选择项目", "预算应为数字"]}


@pytest.mark.parametrize(
    ("raw", "kept"),
    [(3, 3), ("3", 3), ("3.0", 3), (" 3 ", 3), (Decimal("3.00"), 3), (3.0, 3), ("３", 3), (1000, 1000)],
)
def test_a_whole_number_in_range_is_kept(raw: Any, kept: int) -> None:
    value, errors = count(raw)
    assert errors == {} and value == kept and type(value) is int


@pytest.mark.parametrize(
    "raw",
    [
        "3.5",
        2.5,
        Decimal("2.5"),
        True,
        False,
        "NaN",
        float("nan"),
        float("inf"),
        "-Infinity",
        "十",
        "0",
        "-3",
        "1001",
        "1e400",
        LONG,
        pytest.param(HUGE, id="huge-int"),
        "1." + "0" * 4300 + "1",
    ],
)
def test_what_is_no_whole_number_in_range_is_refused_naming_the_bounds(raw: Any) -> None:
    assert count(raw) == (None, {"quota": ["招募人数应为1到1000之间的整数"]})


def test_superscript_and_circled_digits_are_no_numbers() -> None:
    """NFKC folds "²" to 2 and "①" to 1; full-width digits stay welcome."""
    for raw in ("²", "1²", "①"):
        errors: dict[str, list[str]] = {}
        assert whole_value(raw, errors=errors, field="n", label="数量", maximum=10) is None
        assert errors["n"]
        errors = {}
        assert (
            decimal_value(raw, errors=errors, field="n", label="数量", max_digits=5, decimal_places=1) is None
        )
        assert errors["n"]
    assert whole_value("３", errors={}, field="n", label="数量", maximum=10) == 3
