"""Writing validated rows: COPY on PostgreSQL, multi-row INSERTs elsewhere (SQLite).

Runs inside the import's transaction. Per row it writes the request (closed), the lead
unit's work order (unless answered directly), one history row and the rating, if any:

* ``Request``: the requester's name and phone are encrypted, hashed and masked by the
  same ``civicgrid.core.crypto`` calls as intake (``services.intake.request_row``);
  ``status`` closed, light green, no deadlines, no rating link (``rating_token`` empty).
* ``WorkOrder``: the lead unit's, with the dispatch, sign-for and reply times and the reply
  text, so that the unit's staff find their past requests (``selectors.requests_visible``).
* ``RequestEvent``: one per request — the closure (``close``, or ``direct_close`` for a
  consultation answered at once without a unit) at the closing time, marked in ``data``
  with the import's key and the row. It is the row the three rates count as a closure
  (docs/formulas.md); it is the "imported" event (see docs/modules/requests.md).
* ``Rating``: round 1, the lead unit, the place, the month of the rating time.

``Writer`` writes chunk by chunk. For each chunk, first the day counters behind live
numbers (``RequestCounter``) are raised — which also locks those days against concurrent
intake until the commit — then request ids are taken from the table's sequence
(``nextval`` over a ``generate_series``), so the rows pointing at a request need no
read-back.

Foreign keys: PostgreSQL checks each row's references with one query per reference at
the commit, the largest part of an import's cost. Where the database role may set
``session_replication_role`` (a superuser, or from PostgreSQL 15 ``GRANT SET ON PARAMETER
session_replication_role TO …``), the COPY runs with those row checks off and the import
checks its references set-wise instead (``_references_locked``): the grids, categories and
units each chunk names are locked ``FOR KEY SHARE`` — as the row checks would — and must
all still exist; the rows pointing at the new requests are right by construction.
Elsewhere the row checks run as usual.
"""

import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from operator import attrgetter
from typing import Any

from django.db import DatabaseError, connection, models, transaction
from django.utils.translation import gettext as _

from civicgrid.core import crypto
from civicgrid.core.errors import Conflict
from civicgrid.requests.constants import Action, AssignmentRole, Light, Status
from civicgrid.requests.history_import.validate import Item
from civicgrid.requests.models import (
    Category,
    HandlingUnit,
    Rating,
    Request,
    RequestEvent,
    WorkOrder,
)
from civicgrid.requests.services.intake import numbers_record
from civicgrid.territory.models import Node

# i18n: data (stored with every imported work order and history row)
RULE_LABEL = "历史数据导入"

REQUEST_COLUMNS = (
    "id", "node_id", "node_path", "number", "channel", "type", "urgency", "title", "content", "address",
    "lon", "lat", "building_id", "requester_name_enc", "requester_name_masked", "requester_phone_enc",
    "requester_phone_hash", "requester_phone_masked", "anonymous", "confidential", "category_id", "status",
    "status_before", "level", "lead_unit_id", "received_at", "dispatched_at", "responded_at", "replied_at",
    "closed_at", "due_response_at", "due_resolution_at", "clock_unit", "suspended_at", "calendar_warning",
    "light", "next_check_at", "supervised", "reopen_count", "merged_into_id", "direct_answer", "rating_token",
    "external_id", "created_by_id", "version", "created_at", "updated_at", "requester_email_enc",
    "requester_email_masked",
)  # fmt: skip
WORK_ORDER_COLUMNS = (
    "request_id", "unit_id", "role", "is_active", "rule_id", "rule_label", "dispatched_by_id",
    "dispatched_at", "signed_at", "replied_at", "reply", "whistle_id",
)  # fmt: skip
EVENT_COLUMNS = (
    "request_id", "action", "from_status", "to_status", "actor_id", "actor_name", "unit_id", "note", "data",
    "created_at",
)  # fmt: skip
RATING_COLUMNS = (
    "request_id", "round", "unit_id", "unit_path", "node_path", "month", "contacted", "resolution",
    "satisfaction", "comment", "via", "rated_by_id", "created_at",
)  # fmt: skip
TABLES: tuple[tuple[type[models.Model], tuple[str, ...]], ...] = (
    (Request, REQUEST_COLUMNS),
    (WorkOrder, WORK_ORDER_COLUMNS),
    (RequestEvent, EVENT_COLUMNS),
    (Rating, RATING_COLUMNS),
)

Row = tuple[Any, ...]


class Protector:
    """The requester's name and phone as intake stores them; the phone's blind index is cached."""

    def __init__(self) -> None:
        self._index: dict[str, str] = {}

    def name(self, value: str) -> tuple[str, str]:
        if not value:
            return "", ""
        return crypto.encrypt(value), crypto.mask_name(value)

    def phone(self, value: str) -> tuple[str, str, str]:
        if not value:
            return "", "", ""
        index = self._index.get(value)
        if index is None:
            index = self._index[value] = crypto.blind_index(value)
        return crypto.encrypt(value), index, crypto.mask_phone(value)


class Rows:
    """The table rows of the validated items (``request_ids`` in the same order)."""

    def __init__(
        self, items: Sequence[Item], request_ids: Sequence[int], *, key: str, actor_name: str
    ) -> None:
        self.items = items
        self.ids = request_ids
        self.key = key
        self.actor_name = actor_name[:150]

    def requests(self) -> Iterator[Row]:
        protect = Protector()
        closed_status, green = Status.CLOSED.value, Light.GREEN.value
        for item, pk in zip(self.items, self.ids, strict=True):
            name_enc, name_masked = protect.name(item.name)
            phone_enc, phone_hash, phone_masked = protect.phone(item.phone)
            direct = item.unit_id is None
            dispatched = None if direct else (item.dispatched or item.received)
            replied = item.replied or (item.closed if direct else None)
            yield (
                pk, item.node_id, item.node_path, item.number, item.channel, item.type, item.urgency,
                item.title, item.content, item.address, item.lon, item.lat, None, name_enc, name_masked,
                phone_enc, phone_hash, phone_masked, item.anonymous, item.confidential, item.category_id,
                closed_status, "", item.level, item.unit_id, item.received, dispatched, item.responded,
                replied, item.closed, None, None, "", None, "", green, None, False, 0, None,
                item.reply if direct else "", "", item.external_id, None, 1, item.received, item.closed,
                "", "",
            )  # fmt: skip

    def work_orders(self) -> Iterator[Row]:
        lead = AssignmentRole.LEAD.value
        for item, pk in zip(self.items, self.ids, strict=True):
            if item.unit_id is not None:
                yield (
                    pk, item.unit_id, lead, True, None, RULE_LABEL, None, item.dispatched or item.received,
                    item.responded, item.replied, item.reply, None,
                )  # fmt: skip

    def events(self) -> Iterator[Row]:
        close, direct_close, closed = Action.CLOSE.value, Action.DIRECT_CLOSE.value, Status.CLOSED.value
        # i18n: data (stored with every imported history row)
        note, key, actor_name = "历史数据导入", self.key, self.actor_name
        for item, pk in zip(self.items, self.ids, strict=True):
            action = direct_close if item.unit_id is None else close
            data = f'{{"imported": "{key}", "row": {item.row}}}'
            yield (pk, action, "", closed, None, actor_name, None, note, data, item.closed)

    def ratings(self) -> Iterator[Row]:
        for item, pk in zip(self.items, self.ids, strict=True):
            r = item.rating
            if r is not None:
                yield (
                    pk, 1, item.unit_id, "", item.node_path, r.month, r.contacted, r.resolution,
                    r.satisfaction, r.comment, r.via, None, r.rated,
                )  # fmt: skip


def _quoted(model: type[models.Model], columns: Iterable[str]) -> tuple[str, str]:
    qn = connection.ops.quote_name
    return qn(model._meta.db_table), ", ".join(qn(c) for c in columns)


def request_ids(count: int) -> list[int]:
    """``count`` fresh ids for requests (from the sequence on PostgreSQL)."""
    if not count:
        return []
    table = Request._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Usually one unbroken run (no intake drew from the sequence meanwhile): then only its
            # ends come back, not every id.
            cursor.execute(
                "SELECT min(v), max(v), CASE WHEN max(v) - min(v) + 1 = count(*) THEN NULL "
                "ELSE array_agg(v) END FROM (SELECT nextval(pg_get_serial_sequence(%s, 'id')) AS v "
                "FROM generate_series(1, %s)) AS t",
                [table, count],
            )
            low, high, scattered = cursor.fetchone()
            return list(scattered) if scattered is not None else list(range(low, high + 1))
        # Elsewhere the transaction already holds the write lock (the counters or an earlier write).
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        (high,) = cursor.fetchone()
        return list(range(high + 1, high + 1 + count))


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Row]) -> int:
    """COPY the rows into the model's table; returns how many (PostgreSQL, psycopg 3)."""
    table, names = _quoted(model, columns)
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        write = copy.write_row
        for row in rows:
            write(row)
            count += 1
    return count


def _time_converter(field: models.DateTimeField) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        return None if value is None else field.get_db_prep_save(datetime.fromisoformat(value), connection)

    return convert


def _sqlite_converters(
    model: type[models.Model], columns: Sequence[str]
) -> list[Callable[[Any], Any] | None]:
    """Times arrive as ISO text with an offset; SQLite stores them as Django does (UTC text)."""
    converters: list[Callable[[Any], Any] | None] = []
    for name in columns:
        field = model._meta.get_field(name)
        converters.append(_time_converter(field) if isinstance(field, models.DateTimeField) else None)
    return converters


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Row]) -> int:
    """Multi-row INSERTs (as many rows per statement as the database accepts parameters)."""
    table, names = _quoted(model, columns)
    converters = _sqlite_converters(model, columns) if connection.vendor == "sqlite" else []
    limit = 32766 if sqlite3.sqlite_version_info >= (3, 32) else 999
    per_statement = max(1, min(500, limit // len(columns)))
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    count = 0
    batch: list[Any] = []
    in_batch = 0

    def flush() -> None:
        sql = f"INSERT INTO {table} ({names}) VALUES " + ", ".join([placeholder] * in_batch)  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, batch)

    for row in rows:
        if converters:
            row = tuple(c(v) if c else v for c, v in zip(converters, row, strict=True))
        batch.extend(row)
        in_batch += 1
        count += 1
        if in_batch == per_statement:
            flush()
            batch, in_batch = [], 0
    if in_batch:
        flush()
    return count


class Writer:
    """Writes the validated rows chunk by chunk, inside the caller's transaction.

    ``write(items, counters)`` per chunk; ``finish()`` once, after the last one (it turns
    PostgreSQL's row-by-row foreign-key checks back on for the rest of the transaction).
    ``counts`` per table and ``seconds`` per step add up over the chunks."""

    NAMES = ("requests", "work_orders", "events", "ratings")

    def __init__(self, *, key: str, actor_name: str, seconds: dict[str, float] | None = None) -> None:
        self.key = key
        self.actor_name = actor_name
        self.seconds = seconds if seconds is not None else {}
        self.counts = dict.fromkeys(self.NAMES, 0)
        self.put = copy_rows if connection.vendor == "postgresql" else insert_rows
        self.set_wise = _row_checks_off()
        self.locked: tuple[set[int], set[int], set[int]] = (set(), set(), set())

    def _timed(self, step: str, started: float) -> None:
        self.seconds[step] = self.seconds.get(step, 0.0) + time.perf_counter() - started

    def write(self, items: Sequence[Item], counters: dict[date, int]) -> None:
        started = time.perf_counter()
        # In number order: intake-style numbers then also come in time order, so the indexes on the
        # number and the times grow at their right edge (PostgreSQL's fast path for such inserts).
        items = sorted(items, key=attrgetter("number"))
        if counters:  # live numbering continues after the highest intake-style number of each day
            numbers_record(counters)
        ids = request_ids(len(items))
        self._timed("write:ids", started)
        if self.set_wise:
            started = time.perf_counter()
            _references_locked(items, self.locked)
            self._timed("write:references", started)
        rows = Rows(items, ids, key=self.key, actor_name=self.actor_name)
        for name, (model, columns), produce in zip(
            self.NAMES,
            TABLES,
            (rows.requests, rows.work_orders, rows.events, rows.ratings),
            strict=True,
        ):
            started = time.perf_counter()
            self.counts[name] += self.put(model, columns, produce())
            self._timed(f"write:{name}", started)

    def finish(self) -> dict[str, int]:
        """Counts per table; the later writes of the transaction are checked row by row again."""
        if self.set_wise:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")
            self.set_wise = False
        return self.counts


def _row_checks_off() -> bool:
    """Turn PostgreSQL's row-by-row foreign-key checks off for this transaction, where the
    role may; whether they are off."""
    if connection.vendor != "postgresql":
        return False
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:  # not permitted: the rows are checked one by one at the commit
        return False
    return True


def _references_locked(items: Sequence[Item], locked: tuple[set[int], set[int], set[int]]) -> None:
    """Lock what the rows refer to (FOR KEY SHARE, as the row checks would) and make sure
    every one of them still exists. ``locked`` holds the grids, categories and units
    locked by earlier chunks (they stay locked until the commit); it grows."""
    nodes, categories, units = locked
    wanted: list[tuple[type[models.Model], set[int], set[int]]] = [
        (Node, {i.node_id for i in items} - nodes, nodes),
        (Category, {i.category_id for i in items if i.category_id is not None} - categories, categories),
        (HandlingUnit, {i.unit_id for i in items if i.unit_id is not None} - units, units),
    ]
    with connection.cursor() as cursor:
        for model, ids, done in wanted:
            if not ids:
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE id = ANY(%s) FOR KEY SHARE) AS t",  # noqa: S608
                [sorted(ids)],
            )
            (found,) = cursor.fetchone()
            if found != len(ids):
                raise Conflict(
                    _("导入期间，文件引用的网格、分类或承办单位有的已被删除，请核对后重新导入"),
                    code="reference_gone",
                )
            done.update(ids)
