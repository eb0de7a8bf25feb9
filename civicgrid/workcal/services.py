"""Editing the holiday table (system administrator), and seeding it from chinese-calendar.

Every write checks first (capability, then the values: ``rules``), then locks the year(s) it
touches, compares the year's version with the one the editor saw (``expected_version``,
optional; a page always sends it) and only then changes, in one transaction with its audit
rows. Two administrators editing one year at once: the first wins, the second gets
``Conflict`` and nothing of theirs is written over the other's work.

After the commit of any change to a year (``_changed``), the calendar cached by this process
is dropped and the open requests whose clocks cross that year get their deadlines counted
anew in the background (``requests.tasks.recompute_deadlines``, see
``requests/recompute.py``).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import require_any
from civicgrid.core.audit import audit_row, audit_write, audit_write_many
from civicgrid.core.errors import Conflict, ValidationError
from civicgrid.workcal import bulk, clock, rules
from civicgrid.workcal.constants import HOLIDAY_NAMES, Verb
from civicgrid.workcal.models import CalendarDay, CalendarYear
from civicgrid.workcal.selectors import year_version


def _require(actor: Any, system: bool) -> None:
    if not system:
        require_any(actor, Capability.CALENDAR_EDIT)


def _check_year(year: int) -> None:
    reasons = rules.year_errors(year)
    if reasons:
        raise ValidationError(errors={"year": reasons})


def _lock_years(years: Iterable[int]) -> None:
    """One editor of a year at a time (PostgreSQL: transaction-level advisory locks, taken in
    order). SQLite runs one writer at a time anyway."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for year in sorted(set(years)):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"civicgrid.workcal:{year}"])


def _check_version(year: int, expected: str | None) -> None:
    if expected is not None and expected != year_version(year):
        raise Conflict(
            gettext("{year}年的安排刚被他人修改，本次未保存；请查看最新安排后重新提交").format(year=year)
        )


def _recompute(years: list[int]) -> None:
    from django.apps import apps

    if not apps.is_installed("civicgrid.requests"):
        return
    from civicgrid.requests.tasks import recompute_deadlines

    recompute_deadlines.enqueue(years)


def _changed(years: Iterable[int]) -> None:
    """After this commit: forget the cached calendar, recompute the deadlines crossing ``years``."""
    transaction.on_commit(clock.forget)
    listed = sorted(set(years))
    if listed:
        transaction.on_commit(partial(_recompute, listed))


def _day_state(row: CalendarDay | None) -> dict[str, Any] | None:
    return {"is_workday": row.is_workday, "name": row.name} if row else None


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
def calendar_seed_year(
    *, actor: Any, year: int, expected_version: str | None = None, system: bool = False
) -> int:
    """Load a year from chinese-calendar, replacing what was entered for it.

    Returns the number of days written, 0 if the installed library does not know the year.
    """
    _require(actor, system)
    _check_year(year)
    schedule = known_schedule(year)
    if schedule is None:
        return 0
    _lock_years([year])
    _check_version(year, expected_version)
    replaced = CalendarDay.objects.filter(date__year=year).delete()[0]
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
        before={"days": replaced},
        after={"days": len(schedule)},
    )
    _changed([year])
    return len(schedule)


@transaction.atomic
def calendar_day_set(
    *,
    actor: Any,
    day: date,
    is_workday: bool,
    name: str = "",
    expected_version: str | None = None,
    system: bool = False,
) -> CalendarDay:
    """Mark a date as a holiday (a weekday) or a make-up working day (a Saturday or Sunday)."""
    _require(actor, system)
    name = name.strip()
    errors = rules.day_errors(day, is_workday, name)
    if errors:
        raise ValidationError(errors=errors)
    _lock_years([day.year])
    _check_version(day.year, expected_version)
    existing = CalendarDay.objects.filter(date=day).first()
    row, _ = CalendarDay.objects.update_or_create(date=day, defaults={"is_workday": is_workday, "name": name})
    audit_write(
        actor=actor,
        verb=Verb.DAY_SET,
        target=row,
        before=_day_state(existing),
        after=_day_state(row),
    )
    _changed([day.year])
    return row


@transaction.atomic
def calendar_day_clear(
    *, actor: Any, day: date, expected_version: str | None = None, system: bool = False
) -> bool:
    """Take a date back to the Monday–Friday rule. False if it had no entry."""
    _require(actor, system)
    _check_year(day.year)
    _lock_years([day.year])
    _check_version(day.year, expected_version)
    row = CalendarDay.objects.filter(date=day).first()
    if row is None:
        return False
    audit_write(actor=actor, verb=Verb.DAY_CLEARED, target=row, before=_day_state(row))
    row.delete()
    _changed([day.year])
    return True


def _check_complete(year: int, few_ok: bool) -> None:
    """Refuse to confirm a year with fewer weekday holidays than any real year has, unless
    ``few_ok``: most likely only part of the schedule was entered."""
    if few_ok:
        return
    entered = CalendarDay.objects.filter(date__year=year, is_workday=False).count()
    if entered < rules.MIN_HOLIDAYS:
        raise ValidationError(
            errors={
                "few_ok": [
                    gettext(
                        "{year} 年只录入了 {n} 天工作日放假，每年法定节假日至少 {min} 天，可能尚未录全；"
                        "请核对后再确认，确需确认请勾选“录入不全仍确认”"
                    ).format(year=year, n=entered, min=rules.MIN_HOLIDAYS)
                ]
            }
        )


def _confirm(actor: Any, year: int, note: str) -> CalendarYear:
    existing = CalendarYear.objects.filter(year=year).first()
    before = {"source": existing.source, "note": existing.note} if existing else None
    row, _ = CalendarYear.objects.update_or_create(
        year=year, defaults={"source": gettext("手工录入"), "note": note}
    )
    audit_write(
        actor=actor,
        verb=Verb.YEAR_CONFIRMED,
        target_type="workcal.calendaryear",
        target_id=str(year),
        target_label=gettext("{year}年节假日").format(year=year),
        before=before,
        after={"year": year, "source": row.source, "note": note},
    )
    return row


@transaction.atomic
def calendar_year_confirm(
    *,
    actor: Any,
    year: int,
    note: str = "",
    expected_version: str | None = None,
    few_ok: bool = False,
    system: bool = False,
) -> CalendarYear:
    """Declare a year's schedule complete (after entering it by hand): no more fallback warning.

    A year with fewer weekday holidays than ``rules.MIN_HOLIDAYS`` needs ``few_ok``."""
    _require(actor, system)
    _check_year(year)
    note = note.strip()
    if len(note) > rules.NOTE_MAX:
        raise ValidationError(errors={"note": [gettext("备注最多 {n} 个字").format(n=rules.NOTE_MAX)]})
    _lock_years([year])
    _check_version(year, expected_version)
    _check_complete(year, few_ok)
    row = _confirm(actor, year, note)
    _changed([year])
    return row


@dataclass(frozen=True)
class ImportResult:
    set: int
    cleared: int
    unchanged: int
    confirmed: bool


def _apply(actor: Any, entries: list[bulk.Entry]) -> tuple[int, int, int]:
    existing = {row.date: row for row in CalendarDay.objects.filter(date__in=[e.day for e in entries])}
    audits = []
    set_count = cleared = unchanged = 0
    for entry in entries:
        row = existing.get(entry.day)
        if entry.action == bulk.Action.CLEAR:
            if row is None:
                unchanged += 1
                continue
            audits.append(audit_row(actor=actor, verb=Verb.DAY_CLEARED, target=row, before=_day_state(row)))
            row.delete()
            cleared += 1
            continue
        wanted = {"is_workday": entry.action == bulk.Action.WORK, "name": entry.name.strip()}
        if row is not None and _day_state(row) == wanted:
            unchanged += 1
            continue
        before = _day_state(row)
        row, _ = CalendarDay.objects.update_or_create(date=entry.day, defaults=wanted)
        audits.append(audit_row(actor=actor, verb=Verb.DAY_SET, target=row, before=before, after=wanted))
        set_count += 1
    audit_write_many(audits)
    return set_count, cleared, unchanged


@transaction.atomic
def calendar_days_import(
    *,
    actor: Any,
    text: str,
    year: int | None = None,
    confirm: bool = False,
    note: str = "",
    expected_version: str | None = None,
    few_ok: bool = False,
    system: bool = False,
) -> ImportResult:
    """Enter many days at once in the line format of ``workcal.bulk``: all or nothing.

    ``year`` keeps every line inside that year (the year's page); ``confirm`` then also
    declares the year complete (``few_ok`` as for ``calendar_year_confirm``). Every changed
    day writes its own audit row.
    """
    _require(actor, system)
    if year is not None:
        _check_year(year)
    if confirm and year is None:
        raise ValidationError(errors={"year": [gettext("确认全年安排时须指定年份")]})
    note = note.strip()
    if len(note) > rules.NOTE_MAX:
        raise ValidationError(errors={"note": [gettext("备注最多 {n} 个字").format(n=rules.NOTE_MAX)]})
    entries = bulk.parse_lines(text, year=year)
    years = {e.day.year for e in entries} | ({year} if year is not None else set())
    _lock_years(years)
    if year is not None:
        _check_version(year, expected_version)
    set_count, cleared, unchanged = _apply(actor, entries)
    if confirm and year is not None:
        _check_complete(year, few_ok)  # on the days just entered; refusing rolls them back too
        _confirm(actor, year, note)
    touched = {e.day.year for e in entries} if set_count or cleared else set()
    _changed(touched | ({year} if confirm and year is not None else set()))
    return ImportResult(set_count, cleared, unchanged, confirm)
