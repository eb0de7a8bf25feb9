"""Deadline arithmetic on China's working calendar."""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from civicgrid.core.models import AuditLog
from civicgrid.workcal import clock, services
from civicgrid.workcal.clock import Calendar, advance, elapsed
from civicgrid.workcal.constants import LimitUnit
from civicgrid.workcal.models import CalendarDay

SH = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SH)


@pytest.fixture
def cal(db: Any) -> Calendar:
    clock.forget()
    return clock.current_calendar()


def test_2026_national_day_is_skipped_and_makeup_saturday_counts(cal: Calendar) -> None:
    # 2026: 10-01..10-07 off (Thu..Wed), Sat 10-10 is a make-up working day.
    assert not cal.is_workday(date(2026, 10, 1))
    assert cal.is_workday(date(2026, 10, 10))
    # Wed 2026-09-30 10:00 + 1 working day: the clock stops 10-01..10-07, resumes Thu 10-08.
    assert advance(cal, at(2026, 9, 30, 10), 1, LimitUnit.WORKING_DAYS).due_at == at(2026, 10, 8, 10)
    # Fri 10-09 10:00 + 1 working day lands on the make-up Saturday 10-10.
    assert advance(cal, at(2026, 10, 9, 10), 1, LimitUnit.WORKING_DAYS).due_at == at(2026, 10, 10, 10)


def test_seven_working_days_from_a_friday(cal: Calendar) -> None:
    # Fri 2026-11-20 15:00 + 7 working days = Tue 2026-12-01 15:00.
    deadline = advance(cal, at(2026, 11, 20, 15), 7, LimitUnit.WORKING_DAYS)
    assert deadline.due_at == at(2026, 12, 1, 15)
    assert deadline.unknown_years == frozenset()


def test_received_on_a_sunday_starts_counting_monday(cal: Calendar) -> None:
    assert advance(cal, at(2026, 11, 22, 20), 1, LimitUnit.WORKING_DAYS).due_at == at(2026, 11, 24, 0)


def test_natural_hours_ignore_the_calendar(cal: Calendar) -> None:
    assert advance(cal, at(2026, 10, 1, 23), 2, LimitUnit.HOURS).due_at == at(2026, 10, 2, 1)


def test_working_hours_run_in_office_hours_only(cal: Calendar) -> None:
    # Fri 16:30 + 4 working hours: 1h on Friday (to 17:30), then Mon 09:00-12:00.
    assert advance(cal, at(2026, 11, 20, 16, 30), 4, LimitUnit.WORKING_HOURS).due_at == at(2026, 11, 23, 12)


def test_elapsed_is_the_inverse_of_advance(cal: Calendar) -> None:
    start = at(2026, 9, 28, 11, 15)
    for unit in LimitUnit.values:
        due = advance(cal, start, 5, unit).due_at
        assert elapsed(cal, start, due, unit) == pytest.approx(5)


def test_unknown_year_falls_back_to_weekends_with_a_warning(cal: Calendar) -> None:
    # chinese-calendar knows nothing of 2027; nobody entered it: weekends only, no crash.
    deadline = advance(cal, at(2026, 12, 30, 10), 5, LimitUnit.WORKING_DAYS)
    assert deadline.due_at == at(2027, 1, 6, 10)  # Thu 12-31, Fri 1-1, Mon, Tue, Wed
    assert deadline.unknown_years == frozenset({2027})
    assert "2027 年节假日安排尚未录入，期限按周一至周五计算" in deadline.warning


@pytest.mark.django_db
def test_an_administrator_enters_2027_new_year(city: Any) -> None:
    services.calendar_day_set(actor=city.sysadmin, day=date(2027, 1, 1), is_workday=False, name="元旦")
    services.calendar_year_confirm(actor=city.sysadmin, year=2027, few_ok=True)
    clock.forget()
    cal = clock.current_calendar()
    deadline = advance(cal, at(2026, 12, 30, 10), 5, LimitUnit.WORKING_DAYS)
    assert deadline.due_at == at(2027, 1, 7, 10)
    assert deadline.unknown_years == frozenset()
    assert AuditLog.objects.filter(verb="workcal.day_set").count() == 1


@pytest.mark.django_db
def test_a_community_worker_cannot_edit_the_calendar(city: Any) -> None:
    from civicgrid.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.calendar_day_set(actor=city.bob, day=date(2027, 1, 1), is_workday=False)
    assert not CalendarDay.objects.filter(date=date(2027, 1, 1)).exists()
    assert not AuditLog.objects.filter(verb__startswith="workcal.").exists()


@pytest.mark.django_db
def test_seeded_years_come_from_chinese_calendar() -> None:
    assert CalendarDay.objects.filter(date=date(2026, 10, 1), is_workday=False).exists()
    assert services.known_schedule(2027) is None
