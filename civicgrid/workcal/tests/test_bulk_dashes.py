"""Ranges typed with the dashes and tildes a word processor puts in, and names that are a
range the line did not read."""

from datetime import date

import pytest

from civicgrid.core.errors import ValidationError
from civicgrid.workcal.bulk import Action, parse_lines

NATIONAL_DAY = [date(2027, 10, d) for d in (4, 5, 6, 7, 8)]


@pytest.mark.parametrize("dash", ["\u2013", "\u2014", "\u2212", "\uff5e", "\u301c", "-", "~", "至"])
def test_a_range_with_a_word_processor_dash_sets_every_day(dash: str) -> None:
    entries = parse_lines(f"2027-10-04 {dash} 2027-10-08 休 国庆节", year=2027)
    assert [e.day for e in entries] == NATIONAL_DAY
    assert {(e.action, e.name) for e in entries} == {(Action.REST, "国庆节")}


@pytest.mark.parametrize("line", ["2027-10-04 ‒ 2027-10-08 休 国庆节", "2027-10-04 休 2027-10-08 国庆节"])
def test_a_name_starting_with_a_dash_or_a_date_is_refused(line: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_lines(line, year=2027)
    assert exc.value.errors["lines"][0].startswith("第1行：名称不能以日期或连接号开头")


def test_a_name_may_start_with_a_year() -> None:
    entries = parse_lines("2027-10-04 休 2027年国庆节", year=2027)
    assert [(e.day, e.name) for e in entries] == [(date(2027, 10, 4), "2027年国庆节")]
