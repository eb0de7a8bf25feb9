"""Settings that only failed later stop the start instead, naming the variable, its value
and the rule: office hours that cannot be read, are reversed or overlap (a 500 or a wrong
deadline wherever one is computed), a yellow fraction outside (0, 1), weights of the
composite score below 0 or not adding up to 1 (a "满分 100" of 133), a partial answer's
weight outside [0, 1]. The check runs while settings load, so every command (``civicgrid
check``, ``migrate``, ``runserver``) and the WSGI server refuse alike."""

import pytest

from civicgrid.core.tests.test_ops_startup_errors import last_line, start


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("9-12", "'9' in window '9-12' is not a time HH:MM"),
        ("17:00-09:00", "window '17:00-09:00' must start before it ends, within one day"),
        ("09:00-12:00,11:00-17:30", "windows '09:00-12:00' and '11:00-17:30' overlap"),
        ("09:00-12:00,", "'' is not a window HH:MM-HH:MM"),
        ("08:00-24:00", "'24:00' in window '08:00-24:00' is not a time of day (00:00 to 23:59)"),
        ("", "at least one window HH:MM-HH:MM is needed"),
    ],
)
def test_office_hours_that_cannot_be_used_stop_the_start(value: str, rule: str) -> None:
    line = last_line(start(CIVICGRID_OFFICE_HOURS=value))
    assert line.startswith(f"RuntimeError: CIVICGRID_OFFICE_HOURS={value!r} cannot be used: {rule}")
    assert line.endswith("(e.g. 09:00-12:00,13:30-17:30)")


def test_office_hours_in_any_order_and_without_leading_zeros_are_read() -> None:
    result = start(
        "import civicgrid.settings as s; print(s.WORKCAL_OFFICE_HOURS)",
        CIVICGRID_OFFICE_HOURS="13:30-17:30, 9:00-12:00",
    )
    assert result.returncode == 0, result.stderr[-1000:]
    assert result.stdout.strip() == "13:30-17:30, 9:00-12:00"


@pytest.mark.parametrize("value", ["0", "-0.2", "1", "1.5", "nan"])
def test_a_yellow_fraction_outside_0_and_1_stops_the_start(value: str) -> None:
    assert last_line(start(CIVICGRID_YELLOW_FRACTION=value)) == (
        f"RuntimeError: CIVICGRID_YELLOW_FRACTION={value!r} cannot be used: it must lie strictly "
        "between 0 and 1 (the share of a limit left when its clock turns yellow)"
    )


@pytest.mark.parametrize("name", ["CIVICGRID_WEIGHT_RESPONSE", "CIVICGRID_WEIGHT_SATISFACTION"])
def test_a_negative_weight_of_the_composite_score_stops_the_start(name: str) -> None:
    assert last_line(start(**{name: "-0.1"})) == (
        f"RuntimeError: {name}='-0.1' cannot be used: a weight of the composite score must lie in [0, 1]"
    )


def test_weights_not_adding_up_to_1_stop_the_start() -> None:
    assert last_line(start(CIVICGRID_WEIGHT_RESPONSE="0.43")) == (
        "RuntimeError: CIVICGRID_WEIGHT_RESPONSE/_RESOLUTION/_SATISFACTION='0.43/0.45/0.45' cannot be "
        "used: the three weights of the composite score must add up to 1 (they add up to 1.33; "
        "otherwise its full mark is not 100)"
    )


def test_weights_adding_up_to_1_within_rounding_are_read() -> None:
    result = start(
        "import civicgrid.settings as s; print(sorted(s.RATES_WEIGHTS.values()))",
        CIVICGRID_WEIGHT_RESPONSE="0.3333333",
        CIVICGRID_WEIGHT_RESOLUTION="0.3333333",
        CIVICGRID_WEIGHT_SATISFACTION="0.3333334",
    )
    assert result.returncode == 0, result.stderr[-1000:]
    assert result.stdout.strip() == "[0.3333333, 0.3333333, 0.3333334]"


@pytest.mark.parametrize("name", ["CIVICGRID_PARTLY_SOLVED_WEIGHT", "CIVICGRID_BASIC_SATISFIED_WEIGHT"])
@pytest.mark.parametrize("value", ["-0.5", "1.5"])
def test_a_partial_answers_weight_outside_0_and_1_stops_the_start(name: str, value: str) -> None:
    assert last_line(start(**{name: value})) == (
        f"RuntimeError: {name}={value!r} cannot be used: it must lie in [0, 1] "
        "(the share of a full answer such a rating counts)"
    )


def test_the_management_commands_refuse_with_the_reason_and_no_second_traceback() -> None:
    result = start(
        "import sys; from civicgrid.manage import main; sys.argv = ['civicgrid', 'check']; main()",
        CIVICGRID_OFFICE_HOURS="17:00-09:00",
    )
    assert last_line(result).startswith("RuntimeError: CIVICGRID_OFFICE_HOURS='17:00-09:00' cannot be used")
    assert "During handling" not in result.stderr
