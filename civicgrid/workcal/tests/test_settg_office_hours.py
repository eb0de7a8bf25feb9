"""Office hours are read by one parser (``workcal/hours.py``), the one settings.py refuses
a bad ``CIVICGRID_OFFICE_HOURS`` with: windows in any order are sorted (a later window
written first counted its hours before the earlier one's), overlapping ones refused (their
common time counted twice)."""

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from civicgrid.workcal import clock
from civicgrid.workcal.clock import advance, elapsed
from civicgrid.workcal.constants import LimitUnit
from civicgrid.workcal.hours import parse_office_hours

SH = ZoneInfo("Asia/Shanghai")
TWICE = "overlap (a time would count twice)"


def test_windows_are_sorted_and_leading_zeros_and_spaces_optional() -> None:
    expected = ((time(9), time(12)), (time(13, 30), time(17, 30)))
    assert parse_office_hours("09:00-12:00,13:30-17:30") == expected
    assert parse_office_hours("13:30-17:30,09:00-12:00") == expected
    assert parse_office_hours(" 9:00 - 12:00 , 13:30-17:30 ") == expected
    assert clock._parse_office_hours("13:30-17:30,9:00-12:00") == expected


def test_a_window_may_begin_where_the_one_before_ends() -> None:
    assert parse_office_hours("09:00-12:00,12:00-13:00") == ((time(9), time(12)), (time(12), time(13)))


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("9-12", "'9' in window '9-12' is not a time HH:MM"),
        ("0900-1200", "'0900' in window '0900-1200' is not a time HH:MM"),
        ("17:00-09:00", "window '17:00-09:00' must start before it ends, within one day"),
        ("09:00-09:00", "window '09:00-09:00' must start before it ends, within one day"),
        ("09:00-12:00,11:00-17:30", f"windows '09:00-12:00' and '11:00-17:30' {TWICE}"),
        ("13:30-17:30,09:00-14:00", f"windows '09:00-14:00' and '13:30-17:30' {TWICE}"),
        ("09:00-12:60", "'12:60' in window '09:00-12:60' is not a time of day (00:00 to 23:59)"),
        ("09:00-12:00-13:00", "'09:00-12:00-13:00' is not a window HH:MM-HH:MM"),
        ("  ", "at least one window HH:MM-HH:MM is needed"),
    ],
)
def test_office_hours_that_cannot_be_used_are_refused_with_the_reason(spec: str, reason: str) -> None:
    with pytest.raises(ValueError) as refused:
        parse_office_hours(spec)
    assert str(refused.value) == reason


@pytest.mark.django_db
@override_settings(WORKCAL_OFFICE_HOURS="13:30-17:30,09:00-12:00")
def test_windows_written_out_of_order_give_the_same_deadline(settings: Any) -> None:
    clock.forget()
    try:
        cal = clock.current_calendar()
        start = datetime(2026, 11, 24, 10, tzinfo=SH)  # a Tuesday
        due = advance(cal, start, 4, LimitUnit.WORKING_HOURS).due_at
        assert due == datetime(2026, 11, 24, 15, 30, tzinfo=SH)  # 2h to 12:00, 2h from 13:30
        assert elapsed(cal, start, due, LimitUnit.WORKING_HOURS) == pytest.approx(4)
    finally:
        clock.forget()
