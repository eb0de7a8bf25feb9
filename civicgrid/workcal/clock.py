"""Deadline arithmetic on the working calendar.

A limit is an amount in one of four units (``constants.LimitUnit``). Each unit is a
clock that runs only at certain times:

* ``hours`` and ``days``: the wall clock (emergencies, 2-hour and 24-hour tiers);
* ``working_days``: runs through the whole of each working day and stops on rest days,
  so "7 working days" from Friday 15:00 ends at 15:00 on the 7th working day after;
* ``working_hours``: runs only in office hours (``WORKCAL_OFFICE_HOURS``) of working days.

``advance(start, amount, unit)`` is when that much clock time has run; ``elapsed(start,
end, unit)`` how much ran between two instants. Pausing (suspension) is therefore exact:
the deadline moves by ``elapsed(suspended_at, resumed_at, unit)`` of the same clock.
Dates of years nobody has entered fall back to Monday–Friday and are reported in
``Deadline.unknown_years`` so the caller can warn; nothing ever raises for a new year.
"""

import threading
import time as monotonic_time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext

from civicgrid.workcal.constants import LimitUnit
from civicgrid.workcal.hours import parse_office_hours

DAY = timedelta(days=1)


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _parse_office_hours(spec: str) -> tuple[tuple[time, time], ...]:
    """The windows of ``spec``, sorted and never overlapping (``hours.parse_office_hours``,
    the parser with which settings.py refuses a bad ``CIVICGRID_OFFICE_HOURS`` at start)."""
    return parse_office_hours(spec)


@dataclass(frozen=True)
class Calendar:
    overrides: dict[date, bool] = field(default_factory=dict)
    known_years: frozenset[int] = frozenset()
    office_hours: tuple[tuple[time, time], ...] = ((time(9), time(12)), (time(13, 30), time(17, 30)))

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return day.weekday() < 5

    def windows(self, day: date, unit: str, tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
        """The spans of ``day`` during which the clock of ``unit`` runs."""
        start_of_day = datetime.combine(day, time(0), tz)
        if unit in (LimitUnit.HOURS, LimitUnit.DAYS):
            return [(start_of_day, start_of_day + DAY)]
        if not self.is_workday(day):
            return []
        if unit == LimitUnit.WORKING_DAYS:
            return [(start_of_day, start_of_day + DAY)]
        return [(datetime.combine(day, a, tz), datetime.combine(day, b, tz)) for a, b in self.office_hours]


@dataclass(frozen=True)
class Deadline:
    due_at: datetime
    unknown_years: frozenset[int]

    @property
    def warning(self) -> str:
        if not self.unknown_years:
            return ""
        return fallback_warning(self.unknown_years)


def fallback_warning(years: Iterable[int]) -> str:
    """The one wording, on a deadline and on the calendar pages, for years nobody has entered."""
    listed = "、".join(str(y) for y in sorted(years))
    return gettext("{year} 年节假日安排尚未录入，期限按周一至周五计算").format(year=listed)


def amount_seconds(amount: float, unit: str) -> float:
    if unit in (LimitUnit.DAYS, LimitUnit.WORKING_DAYS):
        return amount * 86400.0
    return amount * 3600.0


MAX_DAYS_SCANNED = 3660


def advance(cal: Calendar, start: datetime, amount: float, unit: str) -> Deadline:
    """The instant at which ``amount`` of the ``unit`` clock has run since ``start``."""
    tz = _tz()
    start = start.astimezone(tz)
    remaining = amount_seconds(amount, unit)
    unknown: set[int] = set()
    day = start.date()
    if remaining <= 0:
        return Deadline(start, frozenset())
    for _ in range(MAX_DAYS_SCANNED):
        if unit not in (LimitUnit.HOURS, LimitUnit.DAYS) and day.year not in cal.known_years:
            unknown.add(day.year)
        for begin, end in cal.windows(day, unit, tz):
            begin = max(begin, start)
            if end <= begin:
                continue
            span = (end - begin).total_seconds()
            if span >= remaining:
                return Deadline(begin + timedelta(seconds=remaining), frozenset(unknown))
            remaining -= span
        day += DAY
    raise ValueError(gettext("期限超出可计算范围（十年）"))


def elapsed(cal: Calendar, start: datetime, end: datetime, unit: str) -> float:
    """How much of the ``unit`` clock ran between ``start`` and ``end``, in that unit."""
    if end <= start:
        return 0.0
    tz = _tz()
    start, end = start.astimezone(tz), end.astimezone(tz)
    if unit in (LimitUnit.HOURS, LimitUnit.DAYS):
        seconds = (end - start).total_seconds()
    else:
        seconds = 0.0
        day = start.date()
        while day <= end.date():
            for begin, stop in cal.windows(day, unit, tz):
                lo, hi = max(begin, start), min(stop, end)
                if hi > lo:
                    seconds += (hi - lo).total_seconds()
            day += DAY
    return seconds / (86400.0 if unit in (LimitUnit.DAYS, LimitUnit.WORKING_DAYS) else 3600.0)


# --- the process-wide calendar, reloaded when edited ---------------------------------

_lock = threading.Lock()
_cached: tuple[float, Calendar] | None = None
RELOAD_SECONDS = 30.0


def load_calendar() -> Calendar:
    from civicgrid.workcal.models import CalendarDay, CalendarYear

    return Calendar(
        overrides=dict(CalendarDay.objects.values_list("date", "is_workday")),
        known_years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
        office_hours=_parse_office_hours(settings.WORKCAL_OFFICE_HOURS),
    )


def current_calendar() -> Calendar:
    """The calendar, cached per process for ``RELOAD_SECONDS`` (edits call ``forget``)."""
    global _cached
    now = monotonic_time.monotonic()
    cached = _cached
    if cached is not None and now - cached[0] < RELOAD_SECONDS:
        return cached[1]
    with _lock:
        cal = load_calendar()
        _cached = (now, cal)
        return cal


def forget() -> None:
    global _cached
    _cached = None
