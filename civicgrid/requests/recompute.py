"""Deadlines of open requests follow the work calendar when a year of it changes.

A deadline is counted on the calendar of the moment it was set (``deadlines``); a year
nobody had entered counted Monday–Friday and left a ``calendar_warning``. When the
holiday table of a year changes (seed, a day set or cleared, an import, a confirmation),
``workcal.services`` enqueues ``tasks.recompute_deadlines`` after the commit, which replays
every open request whose clocks cross that year, or whose warning names it, on the new
calendar, from what is stored:

* the dispatch (``dispatched_at``, the limits of its category, or the first response tier
  for an emergency without one): ``set_deadlines``;
* each resumption after a suspension (``RESUME`` events: ``paused_from`` → the event's
  time): ``shift_for_pause``, the response clock only if it was not signed for by then;
* each approved extension (``EXTEND_APPROVE`` events and their ``Approval``: amount and
  unit): ``extend``;
* a 挂账 plan (``LONG_RUNNING``): the resolution deadline is its plan date, not counted.

A request whose history cannot be replayed (no category and not an emergency, a
category whose resolution unit is no longer the clock's, a resumption without its
``paused_from`` or an extension without its approval) is left as it is and counted in
``skipped``. Each request is replayed under its row lock (``engine.lock``) and changed
through ``engine.finish``: the version goes up (a page opened before gets the usual
conflict), light and ``next_check_at`` are refreshed, and a 备注 on the timeline and an
audit row say why the deadline moved. Running it again changes nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from civicgrid.requests.constants import Action, ApprovalKind, RequestType, Status
from civicgrid.requests.models import Approval, Category, Request
from civicgrid.requests.permissions import SYSTEM
from civicgrid.requests.transitions import OPEN
from civicgrid.workcal import clock
from civicgrid.workcal.clock import Calendar

REPLAYED = (Action.RESUME, Action.EXTEND_APPROVE, Action.LONG_RUNNING)


@dataclass(frozen=True)
class Replayed:
    due_response_at: datetime | None
    due_resolution_at: datetime | None
    warning: str


def _limits(request: Request) -> Category | None:
    if request.category_id is not None:
        return request.category
    if request.type == RequestType.EMERGENCY:
        from civicgrid.requests.services.dispatch import emergency_limits

        return emergency_limits()
    return None


def replay(request: Request, cal: Calendar) -> Replayed | None:
    """The deadlines of ``request`` counted anew on ``cal``, or None if they cannot be."""
    limits = _limits(request)
    start = request.dispatched_at
    if limits is None or start is None:
        return None
    unit = request.clock_unit or limits.resolution_unit
    if unit != limits.resolution_unit:
        return None
    response = clock.advance(cal, start, limits.response_limit, limits.response_unit)
    resolution = clock.advance(cal, start, limits.resolution_limit, limits.resolution_unit)
    due_response, response_years = response.due_at, set(response.unknown_years)
    due_resolution, resolution_years = resolution.due_at, set(resolution.unknown_years)
    events = request.events.filter(created_at__gte=start, action__in=REPLAYED).order_by("created_at", "id")
    approvals = {a.pk: a for a in Approval.objects.filter(request=request, kind=ApprovalKind.EXTENSION)}
    for event in events:
        if event.action == Action.RESUME:
            paused_from = parse_datetime(str(event.data.get("paused_from") or ""))
            if paused_from is None:
                return None
            paused = clock.elapsed(cal, paused_from, event.created_at, unit)
            if request.responded_at is None or request.responded_at > event.created_at:
                moved = clock.advance(cal, due_response, paused, unit)
                due_response = moved.due_at
                response_years |= moved.unknown_years
            moved = clock.advance(cal, due_resolution, paused, unit)
            due_resolution = moved.due_at
            resolution_years |= moved.unknown_years
        elif event.action == Action.EXTEND_APPROVE:
            approval = approvals.get(event.data.get("approval"))
            if approval is None:
                return None
            if approval.extend_amount:
                moved = clock.advance(
                    cal,
                    due_resolution,
                    approval.extend_amount,
                    approval.extend_unit or request.extension_unit,
                )
                due_resolution = moved.due_at
                resolution_years |= moved.unknown_years
        else:  # LONG_RUNNING: a plan date
            try:
                plan_until = date.fromisoformat(str(event.data.get("plan_until") or ""))
            except ValueError:
                return None
            due_resolution = datetime.combine(plan_until, time(23, 59, 59), timezone.get_current_timezone())
            resolution_years = set()
    years = resolution_years | (response_years if request.responded_at is None else set())
    return Replayed(due_response, due_resolution, clock.fallback_warning(years)[:255] if years else "")


def candidates(years: Iterable[int]) -> list[int]:
    """Open, dispatched requests whose clocks cross one of ``years`` or whose warning names it."""
    tz = timezone.get_current_timezone()
    crossing = Q()
    for year in sorted(set(years)):
        begin = datetime.combine(date(year, 1, 1), time(0), tz)
        end = datetime.combine(date(year + 1, 1, 1), time(0), tz)
        crossing |= Q(calendar_warning__contains=str(year))
        crossing |= Q(dispatched_at__lt=end) & (
            Q(due_resolution_at__gte=begin) | Q(due_response_at__gte=begin)
        )
    if not crossing:
        return []
    found = Request.objects.filter(crossing, status__in=list(OPEN), dispatched_at__isnull=False)
    return list(found.order_by("id").values_list("id", flat=True))


def _moment(value: datetime | None) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else "—"


def recompute_one(request_id: int, cal: Calendar, years: list[int]) -> str:
    """Replay one request under its lock: "changed", "unchanged" or "skipped"."""
    from civicgrid.requests.services import engine

    with transaction.atomic():
        request = engine.lock(request_id)
        if request.status not in OPEN or request.status == Status.RECEIVED:
            return "unchanged"
        found = replay(request, cal)
        if found is None:
            return "skipped"
        before = (request.due_response_at, request.due_resolution_at, request.calendar_warning)
        due_response = found.due_response_at if request.due_response_at is not None else None
        due_resolution = found.due_resolution_at if request.due_resolution_at is not None else None
        if (due_response, due_resolution, found.warning) == before:
            return "unchanged"
        request.due_response_at, request.due_resolution_at = due_response, due_resolution
        request.calendar_warning = found.warning
        listed = "、".join(str(y) for y in years)
        if due_resolution != before[1]:
            note = _("{years}年节假日安排已更新，办理期限由{before}重新计算为{after}").format(
                years=listed, before=_moment(before[1]), after=_moment(due_resolution)
            )
        elif due_response != before[0]:
            note = _("{years}年节假日安排已更新，响应期限由{before}重新计算为{after}").format(
                years=listed, before=_moment(before[0]), after=_moment(due_response)
            )
        else:
            note = _("{years}年节假日安排已更新，期限不变，期限提示已更新").format(years=listed)
        engine.finish(
            SYSTEM,
            request,
            Action.NOTE,
            note=note,
            data={
                "recomputed": years,
                "due_response_before": before[0].isoformat() if before[0] else None,
                "due_response_after": due_response.isoformat() if due_response else None,
                "due_before": before[1].isoformat() if before[1] else None,
                "due_after": due_resolution.isoformat() if due_resolution else None,
                "warning_before": before[2],
                "warning_after": found.warning,
            },
            target=None,
        )
        return "changed"


def recompute_deadlines(years: Iterable[int]) -> dict[str, Any]:
    """Replay the open requests touched by ``years`` on the calendar as it now stands."""
    listed = sorted(set(years))
    clock.forget()  # this process may hold the calendar of before the change
    cal = clock.load_calendar()
    counts = {"changed": 0, "unchanged": 0, "skipped": 0}
    for pk in candidates(listed):
        counts[recompute_one(pk, cal, listed)] += 1
    return {"years": listed, **counts}
