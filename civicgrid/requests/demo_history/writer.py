"""Writing the simulated history in bulk: a few statements per table, not per row.

Requests, work orders, approvals, whistles, councils and ratings go through
``bulk_create`` (their primary keys are needed by the rows that point at them);
``auto_now``/``auto_now_add`` fields, which ``bulk_create`` stamps with the present
moment, get the history's own moments back with one ``executemany`` UPDATE. History
rows and warnings, the bulk of it, are plain values inserted with ``executemany``;
every value goes through its field's ``get_db_prep_save``, as the ORM would send it.
"""

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import connection, models

from civicgrid.requests.demo_history.engine import Life, Ref
from civicgrid.requests.models import (
    Approval,
    CouncilOutcome,
    DeadlineWarning,
    Rating,
    Request,
    RequestEvent,
    Whistle,
    WhistleSummons,
    WorkOrder,
)
from civicgrid.requests.services.intake import numbers_record

BATCH = 2000
M = TypeVar("M", bound=models.Model)
EVENT_COLUMNS = (
    "request_id",
    "action",
    "from_status",
    "to_status",
    "actor_id",
    "actor_name",
    "unit_id",
    "note",
    "data",
    "created_at",
)
WARNING_COLUMNS = ("request_id", "clock", "light", "due_at", "created_at")


def _execute_many(model: type[models.Model], sql: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """Run ``sql`` once per row; table and column names come from the model, never from input."""
    fields = [f for name in columns if isinstance(f := model._meta.get_field(name), models.Field)]
    assert len(fields) == len(columns)
    values = [
        tuple(f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)) for row in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(values), BATCH):
            cursor.executemany(sql, values[start : start + BATCH])


def _insert(model: type[models.Model], columns: Sequence[str], rows: list[tuple]) -> None:
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    _execute_many(model, sql, columns, rows)


def _restamp(model: type[M], rows: Sequence[M], names: tuple[str, ...], kept: list[tuple]) -> None:
    qn = connection.ops.quote_name
    sets = ", ".join(f"{qn(name)} = %s" for name in names)
    sql = f"UPDATE {qn(model._meta.db_table)} SET {sets} WHERE {qn('id')} = %s"  # noqa: S608
    params = [(*values, row.pk) for row, values in zip(rows, kept, strict=True)]
    _execute_many(model, sql, (*names, "id"), params)
    for row, values in zip(rows, kept, strict=True):
        for name, value in zip(names, values, strict=True):
            setattr(row, name, value)


def _create(model: type[M], rows: Sequence[M], stamped: tuple[str, ...] = ()) -> None:
    """Insert ``rows``; put the history's values back into the ``stamped`` (auto_now) fields."""
    kept = [tuple(getattr(row, name) for name in stamped) for row in rows]
    model._default_manager.bulk_create(rows, batch_size=BATCH)
    if stamped and rows:
        _restamp(model, rows, stamped, kept)


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


def _merged(lives: list[Life]) -> None:
    merged = []
    for life in lives:
        if life.merged_into is not None:
            life.req.merged_into = life.merged_into.req
            merged.append(life.req)
    Request.objects.bulk_update(merged, ["merged_into"], batch_size=500)


def history_write(lives: list[Life]) -> dict[str, int]:
    """Write every row of the lived requests; returns how many of each."""
    lives = [life for life in lives if life.req is not None]
    _create(Request, [life.req for life in lives], ("created_at", "updated_at"))
    _merged(lives)
    _create(Whistle, _all(lives, "whistles"), ("created_at",))  # before the orders that name them
    _create(WorkOrder, _all(lives, "orders"))
    _create(Approval, _all(lives, "approvals"), ("created_at",))
    _create(WhistleSummons, _all(lives, "summonses"))
    _create(CouncilOutcome, _all(lives, "councils"), ("created_at",))
    _create(Rating, _all(lives, "ratings"))
    events = [
        (life.req.pk, e.action, e.from_status, e.to_status, e.actor_id, e.actor_name, e.unit_id, e.note,
         _resolve(e.data), e.created_at)
        for life in lives
        for e in life.events
    ]  # fmt: skip
    _insert(RequestEvent, EVENT_COLUMNS, events)
    warnings = [
        (life.req.pk, w.clock, w.light, w.due_at, w.created_at) for life in lives for w in life.warnings
    ]
    _insert(DeadlineWarning, WARNING_COLUMNS, warnings)
    return {
        "requests": len(lives),
        "work_orders": sum(len(life.orders) for life in lives),
        "events": len(events),
        "ratings": sum(len(life.ratings) for life in lives),
        "warnings": len(warnings),
    }


def counters_write(counters: dict[Any, int]) -> None:
    """The per-day number counters, so that the next live request gets the next number."""
    numbers_record(counters)
