"""Reads of the working calendar for its pages: the years, one year's months, the warnings.

The calendar is national (no territory scope); the pages are the system administrator's
(``Capability.CALENDAR_EDIT``), checked by the views.
"""

import calendar
import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.workcal.clock import fallback_warning
from civicgrid.workcal.models import CalendarDay, CalendarYear, ThresholdState

# From this month on, next year's schedule not yet entered is a warning (the State Council
# publishes it in the autumn, usually late October or November).
WARN_FROM_MONTH = 10


def today() -> date:
    return timezone.localdate()


def year_version(year: int) -> str:
    """A fingerprint of everything entered for ``year``: a page sends back the one it showed,
    and a write refuses if the year changed in between."""
    digest = hashlib.sha256()
    for day, is_workday, name in (
        CalendarDay.objects.filter(date__year=year).order_by("date").values_list("date", "is_workday", "name")
    ):
        digest.update(f"{day.isoformat()}|{int(is_workday)}|{name}\n".encode())
    confirmed = CalendarYear.objects.filter(year=year).values_list("source", "note").first()
    digest.update(repr(confirmed).encode())
    return digest.hexdigest()[:20]


def library_knows(year: int) -> bool:
    """Whether the installed chinese-calendar has ``year``'s schedule."""
    from civicgrid.workcal.services import known_schedule

    return known_schedule(year) is not None


def missing_warning(year: int) -> str:
    return fallback_warning([year])


def deadline_years(on: date | None = None) -> dict[int, int]:
    """{year: open requests} for each year from this one on in which an open request's
    response or resolution deadline falls (one grouped query)."""
    from civicgrid.requests.models import Request  # the calendar comes first; requests use it
    from civicgrid.requests.transitions import OPEN

    on = on or today()
    pairs = (
        Request.objects.filter(status__in=list(OPEN))
        .filter(Q(due_response_at__year__gte=on.year) | Q(due_resolution_at__year__gte=on.year))
        .annotate(response=ExtractYear("due_response_at"), resolution=ExtractYear("due_resolution_at"))
        .values_list("response", "resolution")
        .annotate(n=Count("id"))
        .order_by()
    )
    found: dict[int, int] = {}
    for response, resolution, n in pairs:
        for year in {response, resolution}:
            if year is not None and year >= on.year:
                found[year] = found.get(year, 0) + n
    return found


def pending_warnings(on: date | None = None) -> list[tuple[int, str]]:
    """(year, warning) for the years whose deadlines run on the fallback now or soon: this
    year if not confirmed, from October next year if not confirmed, and any later year an
    open request's deadline already falls in while its schedule is not confirmed."""
    on = on or today()
    wanted = [on.year] + ([on.year + 1] if on.month >= WARN_FROM_MONTH else [])
    depending = deadline_years(on)
    wanted += sorted(y for y in depending if y not in wanted)
    confirmed = set(CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True))
    warnings = []
    for y in wanted:
        if y in confirmed:
            continue
        text = missing_warning(y)
        if depending.get(y):
            text += _("（{count} 件在办诉求的期限在该年）").format(count=depending[y])
        warnings.append((y, text))
    return warnings


@dataclass(frozen=True)
class Threshold:
    """The yellow threshold as set, and the one the open requests were last scheduled with."""

    setting: str
    fraction: float
    scheduled: float | None
    changed_at: datetime | None

    @property
    def percent(self) -> str:
        return f"{self.fraction * 100:g}%"

    @property
    def pending(self) -> bool:
        """Set, but the deadline scan has not yet rescheduled the open requests by it."""
        return self.scheduled != self.fraction


def threshold() -> Threshold:
    row = ThresholdState.objects.filter(pk=1).values_list("yellow_fraction", "changed_at").first()
    scheduled, changed_at = row if row else (None, None)
    return Threshold(
        "CIVICGRID_YELLOW_FRACTION", float(settings.REQUESTS_YELLOW_FRACTION), scheduled, changed_at
    )


@dataclass
class YearRow:
    year: int
    holidays: int = 0
    makeups: int = 0
    confirmed: bool = False
    source: str = ""
    note: str = ""
    updated_at: datetime | None = None
    library_knows: bool = False
    warning: str = ""
    hint: str = ""


def years_overview(on: date | None = None, warnings: list[tuple[int, str]] | None = None) -> list[YearRow]:
    """Every year entered or confirmed, plus this year and next and any year warned of (a
    later year open deadlines fall in), newest first."""
    on = on or today()
    rows: dict[int, YearRow] = {y: YearRow(y) for y in (on.year, on.year + 1)}
    counts = (
        CalendarDay.objects.annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(
            holidays=Count("id", filter=Q(is_workday=False)), makeups=Count("id", filter=Q(is_workday=True))
        )
    )
    for c in counts:
        row = rows.setdefault(c["year"], YearRow(c["year"]))
        row.holidays, row.makeups = c["holidays"], c["makeups"]
    for y in CalendarYear.objects.all():
        row = rows.setdefault(y.year, YearRow(y.year))
        row.confirmed, row.source, row.note, row.updated_at = True, y.source, y.note, y.updated_at
    warned = dict(pending_warnings(on) if warnings is None else warnings)
    for year in warned:
        rows.setdefault(year, YearRow(year))
    for row in rows.values():
        if row.confirmed:
            continue
        row.library_knows = library_knows(row.year)
        if row.year in warned:
            row.warning = warned[row.year]
        elif row.year == on.year + 1:
            row.hint = _("尚未录入；国务院办公厅通常在每年秋季公布次年安排")
        elif row.year > on.year:
            row.hint = _("尚未确认")
        else:
            row.hint = _("尚未确认，该年期限按周一至周五计算")
    return sorted(rows.values(), key=lambda r: -r.year)


@dataclass
class Cell:
    day: date
    in_month: bool
    is_workday: bool
    kind: str = ""  # "holiday", "makeup" or ""
    name: str = ""
    is_today: bool = False

    @property
    def iso(self) -> str:
        return self.day.isoformat()

    @property
    def number(self) -> str:
        return str(self.day.day)  # as text: the template's number formatting is slow on 365 cells


@dataclass
class Month:
    number: int
    weeks: list[list[Cell]] = field(default_factory=list)
    holidays: int = 0
    makeups: int = 0


def year_days(year: int) -> list[CalendarDay]:
    return list(CalendarDay.objects.filter(date__year=year).order_by("date"))


def year_months(year: int, days: list[CalendarDay], on: date | None = None) -> list[Month]:
    """The twelve months of ``year`` as weeks Monday to Sunday, each day marked."""
    on = on or today()
    by_date = {d.date: d for d in days}
    weeks_of = calendar.Calendar(firstweekday=0)
    months = []
    for number in range(1, 13):
        month = Month(number)
        for week in weeks_of.monthdatescalendar(year, number):
            month.weeks.append([_cell(d, d.month == number, by_date.get(d), on) for d in week])
        month.holidays = sum(1 for d in days if d.date.month == number and not d.is_workday)
        month.makeups = sum(1 for d in days if d.date.month == number and d.is_workday)
        months.append(month)
    return months


def _cell(day: date, in_month: bool, entry: CalendarDay | None, on: date) -> Cell:
    if entry is None or not in_month:
        return Cell(day, in_month, day.weekday() < 5, is_today=day == on)
    kind = "makeup" if entry.is_workday else "holiday"
    return Cell(day, in_month, entry.is_workday, kind, entry.name, day == on)


def day_entry(day: date) -> CalendarDay | None:
    return CalendarDay.objects.filter(date=day).first()


def year_confirmation(year: int) -> CalendarYear | None:
    return CalendarYear.objects.filter(year=year).first()
