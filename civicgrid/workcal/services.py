"""Editing the holiday table (system administrator), and seeding it from chinese-calendar."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import require_any
from civicgrid.core.audit import audit_write
from civicgrid.core.errors import ValidationError
from civicgrid.workcal import clock
from civicgrid.workcal.constants import HOLIDAY_NAMES, Verb
from civicgrid.workcal.models import CalendarDay, CalendarYear


def _require(actor: Any, system: bool) -> None:
    if not system:
        require_any(actor, Capability.CALENDAR_EDIT)


def known_schedule(year: int) -> dict[date, tuple[bool, str]] | None:
    """The State Council schedule of ``year`` from chinese-calendar, or None if it has none."""
    import chinese_calendar

    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return None
    days: dict[date, tuple[bool, str]] = {}
    for day, name in chinese_calendar.holidays.items():
        if day.year == year and day.weekday() < 5:
            days[day] = (False, HOLIDAY_NAMES.get(name, name or ""))
    for day, name in chinese_calendar.workdays.items():
        if day.year == year and day.weekday() >= 5:
            days[day] = (True, f"{HOLIDAY_NAMES.get(name, name or '')}调休")  # i18n: data (seeded rows)
    return days


@transaction.atomic
def calendar_seed_year(*, actor: Any, year: int, system: bool = False) -> int:
    """Load a year from chinese-calendar. Returns the number of days written, 0 if unknown."""
    _require(actor, system)
    schedule = known_schedule(year)
    if schedule is None:
        return 0
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, is_workday=w, name=n) for d, (w, n) in sorted(schedule.items())]
    )
    CalendarYear.objects.update_or_create(year=year, defaults={"source": "chinese-calendar"})
    audit_write(
        actor=actor,
        verb=Verb.YEAR_SEEDED,
        target_type="workcal.calendaryear",
        target_id=str(year),
        target_label=gettext("{year}年节假日").format(year=year),
        after={"days": len(schedule)},
    )
    transaction.on_commit(clock.forget)
    return len(schedule)


@transaction.atomic
def calendar_day_set(
    *, actor: Any, day: date, is_workday: bool, name: str = "", system: bool = False
) -> CalendarDay:
    """Mark a date as a holiday or a make-up working day (e.g. from the State Council notice)."""
    _require(actor, system)
    if day.year < 2000 or day.year > 2100:
        raise ValidationError(gettext("日期超出范围"), field="date")
    existing = CalendarDay.objects.filter(date=day).first()
    before = {"is_workday": existing.is_workday, "name": existing.name} if existing else None
    row, _ = CalendarDay.objects.update_or_create(
        date=day, defaults={"is_workday": is_workday, "name": name.strip()}
    )
    audit_write(
        actor=actor,
        verb=Verb.DAY_SET,
        target=row,
        before=before,
        after={"is_workday": is_workday, "name": name},
    )
    transaction.on_commit(clock.forget)
    return row


@transaction.atomic
def calendar_day_clear(*, actor: Any, day: date, system: bool = False) -> None:
    _require(actor, system)
    row = CalendarDay.objects.filter(date=day).first()
    if row is None:
        return
    audit_write(
        actor=actor,
        verb=Verb.DAY_CLEARED,
        target=row,
        before={"is_workday": row.is_workday, "name": row.name},
    )
    row.delete()
    transaction.on_commit(clock.forget)


@transaction.atomic
def calendar_year_confirm(*, actor: Any, year: int, note: str = "", system: bool = False) -> CalendarYear:
    """Declare a year's schedule complete (after entering it by hand): no more fallback warning."""
    _require(actor, system)
    row, _ = CalendarYear.objects.update_or_create(
        year=year, defaults={"source": gettext("手工录入"), "note": note}
    )
    audit_write(actor=actor, verb=Verb.YEAR_CONFIRMED, target=row, after={"year": year})
    transaction.on_commit(clock.forget)
    return row
