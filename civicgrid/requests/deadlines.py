"""Deadlines and traffic lights of a request.

Two clocks run from dispatch: the response clock (until the lead unit signs for it) and
the resolution clock (until it replies). Their limits come from the catalogue leaf; the
units (natural hours, working hours, working days) are counted by ``workcal.clock``.
Suspension stops both; on resumption each deadline moves by the clock time that passed.

Light of one clock at instant *now*, with limit *L* (start → due) and yellow fraction *f*:
green while ``left(now) > f·L``, yellow while ``0 < left(now) ≤ f·L``, red once
``now ≥ due``. *L* and *left* are counted in the clock's own unit on the work calendar
(``L = elapsed(start, due)``, ``left(now) = elapsed(now, due)``): a 7-working-day limit
turns yellow when 1.4 working days are left, not when a fifth of the wall time is.
The request's light is the worse of its running clocks.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from civicgrid.requests.constants import Light, RequestType, Status
from civicgrid.requests.models import Category, Request
from civicgrid.workcal import clock
from civicgrid.workcal.clock import Calendar
from civicgrid.workcal.constants import LimitUnit

RANK: dict[str, int] = {Light.GREEN: 0, Light.YELLOW: 1, Light.RED: 2}


WALL_UNITS = (LimitUnit.HOURS, LimitUnit.DAYS)


def retreat(cal: Calendar, due: datetime, amount: float, unit: str) -> datetime:
    """The earliest instant from which at most ``amount`` of the ``unit`` clock is left until
    ``due`` (``advance`` counted backwards): the left time only shrinks while the clock runs,
    so across a weekend this is the end of the last working window before it."""
    if amount <= 0:
        return due
    if unit in WALL_UNITS:
        return due - timedelta(seconds=clock.amount_seconds(amount, unit))
    tz = clock._tz()
    due = due.astimezone(tz)
    remaining = clock.amount_seconds(amount, unit)
    day = due.date()
    for _ in range(clock.MAX_DAYS_SCANNED):
        for begin, end in reversed(cal.windows(day, unit, tz)):
            end = min(end, due)
            if end <= begin:
                continue
            span = (end - begin).total_seconds()
            if span > remaining:
                return end - timedelta(seconds=remaining)
            remaining -= span
        day -= clock.DAY
    return due - timedelta(seconds=clock.amount_seconds(amount, unit))


@dataclass(frozen=True)
class ClockState:
    name: str  # "response" or "resolution"
    start: datetime
    due: datetime
    unit: str = LimitUnit.HOURS  # the clock's own unit (``LimitUnit``)
    cal: Calendar | None = None  # None: the current calendar

    def yellow_at(self) -> datetime:
        """When ``REQUESTS_YELLOW_FRACTION`` of the limit is left, in the limit's own unit."""
        fraction = settings.REQUESTS_YELLOW_FRACTION
        if self.unit in WALL_UNITS:
            total = (self.due - self.start).total_seconds()
            return self.due - timedelta(seconds=total * fraction)
        cal = self.cal or clock.current_calendar()
        limit = clock.elapsed(cal, self.start, self.due, self.unit)
        return retreat(cal, self.due, limit * fraction, self.unit)

    def light(self, now: datetime) -> str:
        if now >= self.due:
            return Light.RED
        if now >= self.yellow_at():
            return Light.YELLOW
        return Light.GREEN

    def next_change(self, now: datetime) -> datetime | None:
        for moment in (self.yellow_at(), self.due):
            if moment > now:
                return moment
        return None


def set_deadlines(request: Request, category: Category, start: datetime, cal: Calendar | None = None) -> None:
    """Fill the due dates of a request dispatched at ``start`` (changes the object only)."""
    cal = cal or clock.current_calendar()
    response = clock.advance(cal, start, category.response_limit, category.response_unit)
    resolution = clock.advance(cal, start, category.resolution_limit, category.resolution_unit)
    request.due_response_at = response.due_at
    request.due_resolution_at = resolution.due_at
    request.clock_unit = category.resolution_unit
    request.calendar_warning = (resolution.warning or response.warning)[:255]


def response_unit(request: Request) -> str:
    """The unit of the response clock (not stored on the request): its category's, or the
    first response tier's for an emergency dispatched without one (``emergency_limits``)."""
    if request.category_id is not None and request.category is not None:
        return str(request.category.response_unit)
    if request.type == RequestType.EMERGENCY:
        from civicgrid.requests.services.dispatch import emergency_limits

        return str(emergency_limits().response_unit)
    return LimitUnit.HOURS


def running_clocks(request: Request, cal: Calendar | None = None) -> list[ClockState]:
    if request.status in (Status.SUSPENDED, Status.MERGED, Status.CLOSED) or request.dispatched_at is None:
        return []
    clocks = []
    if request.responded_at is None and request.due_response_at is not None:
        clocks.append(
            ClockState(
                "response", request.dispatched_at, request.due_response_at, response_unit(request), cal
            )
        )
    if (
        request.replied_at is None
        and request.due_resolution_at is not None
        and request.status
        in (
            Status.DISPATCHED,
            Status.SIGNED,
            Status.IN_PROGRESS,
            Status.RETURN_PENDING,
            Status.LONG_RUNNING,
        )
    ):
        unit = request.clock_unit or LimitUnit.HOURS
        if request.status == Status.LONG_RUNNING:
            unit = LimitUnit.HOURS  # a plan date (挂账) is a calendar date, not a limit
        clocks.append(ClockState("resolution", request.dispatched_at, request.due_resolution_at, unit, cal))
    return clocks


def light_now(request: Request, now: datetime, cal: Calendar | None = None) -> str:
    lights = [c.light(now) for c in running_clocks(request, cal)]
    return max(lights, key=RANK.__getitem__, default=Light.GREEN)


def refresh_light(request: Request, now: datetime, cal: Calendar | None = None) -> None:
    """Set ``light`` and ``next_check_at`` (when the periodic scan must look again)."""
    clocks = running_clocks(request, cal)
    request.light = max((c.light(now) for c in clocks), key=RANK.__getitem__, default=Light.GREEN)
    changes = [m for c in clocks if (m := c.next_change(now)) is not None]
    request.next_check_at = min(changes) if changes else None


def shift_for_pause(
    request: Request, paused_from: datetime, resumed_at: datetime, cal: Calendar | None = None
) -> None:
    """Move both deadlines by the clock time that passed while suspended.

    The calendar warning follows the moved deadlines: set when one of them was counted
    through a year nobody has entered, cleared when neither was (unchanged when no clock
    time passed, the deadlines then staying where they were)."""
    cal = cal or clock.current_calendar()
    unit = request.clock_unit or LimitUnit.HOURS
    paused = clock.elapsed(cal, paused_from, resumed_at, unit)
    unknown: set[int] = set()
    if request.due_response_at and request.responded_at is None:
        response = clock.advance(cal, request.due_response_at, paused, unit)
        request.due_response_at = response.due_at
        unknown |= response.unknown_years
    if request.due_resolution_at:
        resolution = clock.advance(cal, request.due_resolution_at, paused, unit)
        request.due_resolution_at = resolution.due_at
        unknown |= resolution.unknown_years
    if paused > 0 and (request.due_response_at or request.due_resolution_at):
        request.calendar_warning = clock.fallback_warning(unknown)[:255] if unknown else ""


def extend(request: Request, amount: float, cal: Calendar | None = None, *, unit: str | None = None) -> None:
    """Approved extension: the resolution deadline moves by ``amount`` of ``unit`` (the unit
    it was asked in), else of its own clock."""
    cal = cal or clock.current_calendar()
    unit = unit or request.extension_unit
    if request.due_resolution_at is not None:
        deadline = clock.advance(cal, request.due_resolution_at, amount, unit)
        request.due_resolution_at = deadline.due_at
        if deadline.warning:
            request.calendar_warning = deadline.warning[:255]
