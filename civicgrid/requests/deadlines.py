"""Deadlines and traffic lights of a request.

Two clocks run from dispatch: the response clock (until the lead unit signs for it) and
the resolution clock (until it replies). Their limits come from the catalogue leaf; the
units (natural hours, working hours, working days) are counted by ``workcal.clock``.
Suspension stops both; on resumption each deadline moves by the clock time that passed.

Light of one clock at instant *now*, with limit *L* (start → due) and yellow fraction *f*:
green while ``due − now > f·L``, yellow while ``0 < due − now ≤ f·L``, red once
``now ≥ due``. The request's light is the worse of its running clocks.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from civicgrid.requests.constants import Light, Status
from civicgrid.requests.models import Category, Request
from civicgrid.workcal import clock
from civicgrid.workcal.clock import Calendar

RANK: dict[str, int] = {Light.GREEN: 0, Light.YELLOW: 1, Light.RED: 2}


@dataclass(frozen=True)
class ClockState:
    name: str  # "response" or "resolution"
    start: datetime
    due: datetime

    def yellow_at(self) -> datetime:
        total = (self.due - self.start).total_seconds()
        return self.due - timedelta(seconds=total * settings.REQUESTS_YELLOW_FRACTION)

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


def running_clocks(request: Request) -> list[ClockState]:
    if request.status in (Status.SUSPENDED, Status.MERGED, Status.CLOSED) or request.dispatched_at is None:
        return []
    clocks = []
    if request.responded_at is None and request.due_response_at is not None:
        clocks.append(ClockState("response", request.dispatched_at, request.due_response_at))
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
        clocks.append(ClockState("resolution", request.dispatched_at, request.due_resolution_at))
    return clocks


def light_now(request: Request, now: datetime) -> str:
    lights = [c.light(now) for c in running_clocks(request)]
    return max(lights, key=RANK.__getitem__, default=Light.GREEN)


def refresh_light(request: Request, now: datetime) -> None:
    """Set ``light`` and ``next_check_at`` (when the periodic scan must look again)."""
    clocks = running_clocks(request)
    request.light = max((c.light(now) for c in clocks), key=RANK.__getitem__, default=Light.GREEN)
    changes = [m for c in clocks if (m := c.next_change(now)) is not None]
    request.next_check_at = min(changes) if changes else None


def shift_for_pause(
    request: Request, paused_from: datetime, resumed_at: datetime, cal: Calendar | None = None
) -> None:
    """Move both deadlines by the clock time that passed while suspended."""
    cal = cal or clock.current_calendar()
    unit = request.clock_unit or "hours"
    paused = clock.elapsed(cal, paused_from, resumed_at, unit)
    if request.due_response_at and request.responded_at is None:
        request.due_response_at = clock.advance(cal, request.due_response_at, paused, unit).due_at
    if request.due_resolution_at:
        request.due_resolution_at = clock.advance(cal, request.due_resolution_at, paused, unit).due_at


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
