"""Writing the simulated history in bulk: a few statements per table, not per row.

``bulk_create`` stamps ``auto_now``/``auto_now_add`` fields with the present moment; the
history's own moments are put back with ``bulk_update`` right after. Primary keys that
history rows refer to (a rating in its event, a merge target) are filled in once the
rows they point at exist.
"""

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import models

from civicgrid.requests.demo_history.engine import Life, Ref
from civicgrid.requests.models import (
    Approval,
    CouncilOutcome,
    DeadlineWarning,
    Rating,
    Request,
    RequestCounter,
    RequestEvent,
    Whistle,
    WhistleSummons,
    WorkOrder,
)

BATCH = 1000
M = TypeVar("M", bound=models.Model)


def _create(model: type[M], rows: Sequence[M], stamped: tuple[str, ...] = ()) -> None:
    """Insert ``rows`` and restore the ``stamped`` (auto_now) fields to the history's values."""
    kept = [tuple(getattr(row, name) for name in stamped) for row in rows]
    model._default_manager.bulk_create(rows, batch_size=BATCH)
    if not stamped or not rows:
        return
    for row, values in zip(rows, kept, strict=True):
        for name, value in zip(stamped, values, strict=True):
            setattr(row, name, value)
    model._default_manager.bulk_update(rows, list(stamped), batch_size=500)


def _resolve(value: Any) -> Any:
    if isinstance(value, Ref):
        return value.obj.pk
    if isinstance(value, list):
        return [_resolve(v) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(v) for k, v in value.items()}
    return value


def _all(lives: Iterable[Life], name: str) -> list[Any]:
    return [row for life in lives for row in getattr(life, name)]


def history_write(lives: list[Life]) -> dict[str, int]:
    """Write every row of the lived requests; returns how many of each."""
    lives = [life for life in lives if life.req is not None]
    _create(Request, [life.req for life in lives], ("created_at", "updated_at"))
    merged = []
    for life in lives:
        if life.merged_into is not None:
            life.req.merged_into = life.merged_into.req
            merged.append(life.req)
    Request.objects.bulk_update(merged, ["merged_into"], batch_size=500)
    _create(WorkOrder, _all(lives, "orders"))
    _create(Approval, _all(lives, "approvals"), ("created_at",))
    _create(Whistle, _all(lives, "whistles"), ("created_at",))
    _create(WhistleSummons, _all(lives, "summonses"))
    _create(CouncilOutcome, _all(lives, "councils"), ("created_at",))
    _create(Rating, _all(lives, "ratings"))
    events = _all(lives, "events")
    for event in events:
        event.data = _resolve(event.data)
    _create(RequestEvent, events)
    _create(DeadlineWarning, _all(lives, "warnings"), ("created_at",))
    return {
        "requests": len(lives),
        "work_orders": sum(len(life.orders) for life in lives),
        "events": len(events),
        "ratings": sum(len(life.ratings) for life in lives),
        "warnings": sum(len(life.warnings) for life in lives),
    }


def counters_write(counters: dict[Any, int]) -> None:
    """The per-day number counters, so that the next live request gets the next number."""
    rows = [RequestCounter(day=day, last=last) for day, last in sorted(counters.items())]
    RequestCounter.objects.bulk_create(
        rows, batch_size=BATCH, update_conflicts=True, unique_fields=["day"], update_fields=["last"]
    )
