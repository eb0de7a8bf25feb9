"""Counts per (handling unit, place), from raw rows or from the monthly rollup.

A *cell* is ``(unit_id, path) -> Counts``. Raw cells come from three aggregate queries
(ratings, requests received, close/reopen events) over indexed columns. Rollup cells are
the rows of ``RateRollup`` for a month, where the path is the subdistrict containing the
place, plus the month's pending ``RateDelta`` rows, where the path is the place itself
(``journal`` writes them with every change; ``rollup_compact`` folds them in). Grouping by
unit or by territory node is a sum of cells, so both sources give the same integers for
every group the rollup can answer (units, and nodes at or above the subdistrict level),
for ended months and the current one alike.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from civicgrid.core.errors import ValidationError
from civicgrid.requests.constants import Action, Resolution, Satisfaction
from civicgrid.requests.models import Rating, Request, RequestEvent
from civicgrid.requests.rates.figures import COUNT_FIELDS, ZERO, Counts, Period, add_months, month_start
from civicgrid.requests.rollups import RateDelta, RateRollup, RateRollupMonth
from civicgrid.territory.models import Node, NodeKind

Key = tuple[int | None, str]
Cells = dict[Key, Counts]

CLOSE_ACTIONS = (Action.CLOSE.value, Action.DIRECT_CLOSE.value)
REOPEN_ACTION = Action.REOPEN.value
# Territory levels the rollup can answer exactly (everything under them is a whole subdistrict).
ROLLUP_KINDS = (NodeKind.CITY, NodeKind.DISTRICT, NodeKind.SUBDISTRICT)

RAW = "raw"
ROLLUP = "rollup"
AUTO = "auto"
BY_UNIT = "unit"
BY_AREA = "area"


@dataclass(frozen=True)
class Slice:
    """Which rows to count: some units (None = all, with or without a unit) under some paths."""

    unit_ids: frozenset[int] | None = None
    paths: tuple[str, ...] | None = None


EVERYTHING = Slice()


def current_month() -> date:
    return month_start(timezone.localdate())


def bounds(period: Period) -> tuple[datetime, datetime]:
    """The period as aware datetimes [start, end) in the current (local) time zone."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(period.start, time.min, tzinfo=tz)
    return start, datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=tz)


def _restrict(qs: QuerySet[Any], where: Slice, *, unit: str, path: str) -> QuerySet[Any]:
    if where.unit_ids is not None:
        qs = qs.filter(**{f"{unit}__in": sorted(where.unit_ids)})
    if where.paths is not None:
        prefixes = [p for p in where.paths if p]
        if len(prefixes) < len(where.paths):
            return qs  # "" is the whole tree
        if not prefixes:
            return qs.none()
        qs = qs.filter(reduce(or_, (Q(**{f"{path}__startswith": p}) for p in prefixes)))
    return qs


def _keys(by: str | None, unit: str, path: str) -> dict[str, F]:
    """The GROUP BY columns: unit and place (None), unit only (BY_UNIT), place only (BY_AREA)."""
    keys = {}
    if by != BY_AREA:
        keys["u"] = F(unit)
    if by != BY_UNIT:
        keys["p"] = F(path)
    return keys


def _key(row: dict[str, Any]) -> Key:
    return row.get("u"), row.get("p", "")


def _ratings(period: Period, where: Slice, by: str | None) -> QuerySet[Any]:
    qs = Rating.objects.all()
    month = period.whole_month
    if month is not None:
        qs = qs.filter(month=month)
    else:
        start, end = bounds(period)
        qs = qs.filter(
            month__gte=month_start(period.start),
            month__lte=period.end,
            created_at__gte=start,
            created_at__lt=end,
        )
    qs = _restrict(qs, where, unit="unit_id", path="node_path")
    return (
        qs.values(**_keys(by, "unit_id", "node_path"))
        .annotate(
            rated=Count("id"),
            contacted=Count("id", filter=Q(contacted=True)),
            solved=Count("id", filter=Q(resolution=Resolution.SOLVED)),
            partly=Count("id", filter=Q(resolution=Resolution.PARTLY)),
            unsolved=Count("id", filter=Q(resolution=Resolution.UNSOLVED)),
            satisfied=Count("id", filter=Q(satisfaction=Satisfaction.SATISFIED)),
            basic=Count("id", filter=Q(satisfaction=Satisfaction.BASIC)),
            unsatisfied=Count("id", filter=Q(satisfaction=Satisfaction.UNSATISFIED)),
        )
        .order_by()
    )


def _received(period: Period, where: Slice, by: str | None) -> QuerySet[Any]:
    start, end = bounds(period)
    qs = Request.objects.filter(received_at__gte=start, received_at__lt=end)
    qs = _restrict(qs, where, unit="lead_unit_id", path="node_path")
    return qs.values(**_keys(by, "lead_unit_id", "node_path")).annotate(received=Count("id")).order_by()


def _events(period: Period, where: Slice, by: str | None) -> QuerySet[Any]:
    start, end = bounds(period)
    qs = RequestEvent.objects.filter(
        created_at__gte=start, created_at__lt=end, action__in=[*CLOSE_ACTIONS, REOPEN_ACTION]
    ).annotate(
        unit_key=Coalesce("unit_id", "request__lead_unit_id"),
        place=F("request__node_path"),
    )
    qs = _restrict(qs, where, unit="unit_key", path="place")
    return (
        qs.values(**_keys(by, "unit_key", "place"))
        .annotate(
            closed=Count("id", filter=Q(action__in=CLOSE_ACTIONS)),
            reopened=Count("id", filter=Q(action=REOPEN_ACTION)),
        )
        .order_by()
    )


def _add(cells: Cells, key: Key, counts: Counts) -> None:
    cells[key] = cells.get(key, ZERO) + counts


def raw_cells(period: Period, where: Slice = EVERYTHING, *, by: str | None = None) -> Cells:
    """Counts per (unit, place) straight from Rating, Request and RequestEvent rows.

    ``by=BY_UNIT`` groups by unit only (keys ``(unit, "")``), ``by=BY_AREA`` by place only
    (keys ``(None, place)``): the same sums, fewer rows.
    """
    cells: Cells = {}
    for row in _ratings(period, where, by):
        _add(cells, _key(row), Counts.of(row))
    for row in _received(period, where, by):
        _add(cells, _key(row), Counts(received=row["received"]))
    for row in _events(period, where, by):
        _add(cells, _key(row), Counts(closed=row["closed"], reopened=row["reopened"]))
    return cells


def _like(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _sql_where(where: Slice, path: str) -> tuple[str, list[Any]]:
    """The slice as SQL conditions on ``unit_id`` and ``path`` (a column), for raw statements."""
    sql: list[str] = []
    params: list[Any] = []
    if where.unit_ids is not None:
        ids = sorted(where.unit_ids)
        if not ids:
            return " AND 1 = 0", []
        if connection.vendor == "postgresql":  # one array parameter, not hundreds of placeholders
            sql.append("unit_id = ANY(%s)")
            params.append(ids)
        else:
            sql.append(f"unit_id IN ({', '.join(['%s'] * len(ids))})")
            params += ids
    if where.paths is not None:
        prefixes = [p for p in where.paths if p]
        if len(prefixes) == len(where.paths):
            if not prefixes:
                return " AND 1 = 0", []
            sql.append("(" + " OR ".join(f"{path} LIKE %s ESCAPE '\\'" for _ in prefixes) + ")")
            params += [_like(p) for p in prefixes]
    return "".join(f" AND {s}" for s in sql), params


def _served(month: date, where: Slice = EVERYTHING, *, by: str | None = None) -> Cells | None:
    """The month's rollup rows plus its pending deltas — or None when the month is not built —
    in one statement, so one snapshot: a rebuild, a fold or a dropped rollup committing
    meanwhile is seen entirely or not at all.

    Rollup rows are keyed by area, deltas by place; both answer units and the territory
    nodes at or above the subdistricts (``by_paths`` sums by path prefix). The marker row
    joins the union with ``b = 1`` and zero counts (its group, if any, is dropped).
    """
    rollup_where, rollup_params = _sql_where(where, "area_path")
    delta_where, delta_params = _sql_where(where, "place")
    quote = connection.ops.quote_name
    counts = ", ".join(quote(f) for f in COUNT_FIELDS)
    zeros = ", ".join(["0"] * len(COUNT_FIELDS))
    keys = {None: ["u", "p"], BY_UNIT: ["u"], BY_AREA: ["p"]}[by]
    sums = ", ".join(f"SUM({quote(f)})" for f in COUNT_FIELDS)
    sql = (
        f"SELECT {', '.join(keys)}, SUM(b), {sums} FROM ("  # noqa: S608 (names from the models)
        f"SELECT unit_id AS u, area_path AS p, 0 AS b, {counts} FROM {quote(RateRollup._meta.db_table)} "
        f"WHERE month = %s{rollup_where} "
        f"UNION ALL SELECT unit_id, place, 0, {counts} FROM {quote(RateDelta._meta.db_table)} "
        f"WHERE month = %s{delta_where} "
        f"UNION ALL SELECT NULL, '{BUILT}', 1, {zeros} FROM {quote(RateRollupMonth._meta.db_table)} "
        f"WHERE month = %s"
        f") t GROUP BY {', '.join(keys)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [month, *rollup_params, month, *delta_params, month])
        rows = cursor.fetchall()
    found: Cells = {}
    built = False
    width = len(keys)
    for row in rows:
        built = built or bool(row[width])
        counts_row = Counts(*(int(v or 0) for v in row[width + 1 :]))
        if counts_row != ZERO:
            unit_id = row[0] if "u" in keys else None
            place = row[width - 1] if "p" in keys else ""
            found[(unit_id, place)] = counts_row
    return found if built else None


BUILT = "#built"  # not a path: the place of the marker row in ``_served``


def rollup_cells(month: date, where: Slice = EVERYTHING, *, by: str | None = None) -> Cells:
    """The month's rollup plus its pending deltas (empty when the month is not built)."""
    return _served(month, where, by=by) or {}


def rollup_ready(month: date) -> bool:
    """A month is served from its rollup once it has been built (ended or current)."""
    return month <= current_month() and RateRollupMonth.objects.filter(month=month).exists()


def _paths_rollup_safe(paths: tuple[str, ...] | None) -> bool:
    wanted = {p for p in paths or () if p}
    if not wanted:
        return True
    return Node.objects.filter(path__in=wanted, kind__in=ROLLUP_KINDS).count() == len(wanted)


def cells(
    period: Period, where: Slice = EVERYTHING, *, source: str = AUTO, by: str | None = None
) -> tuple[Cells, str]:
    """Cells of the period and the source used: rollup + deltas for a built month, else raw rows."""
    month = period.whole_month
    if source != RAW and month is not None and month <= current_month() and _paths_rollup_safe(where.paths):
        found = _served(month, where, by=by)
        if found is not None:
            return found, ROLLUP
    if source == ROLLUP:
        raise ValidationError(gettext("该月尚未生成汇总，或所选区域低于街道一级"), field="month")
    return raw_cells(period, where, by=by), RAW


# Grouping ---------------------------------------------------------------------------------


def by_unit(found: Cells) -> dict[int | None, Counts]:
    result: dict[int | None, Counts] = defaultdict(lambda: ZERO)
    for (unit_id, _), counts in found.items():
        result[unit_id] = result[unit_id] + counts
    return dict(result)


def _prefixes(path: str) -> Iterable[str]:
    yield ""
    i = path.find("/")
    while i != -1:
        yield path[: i + 1]
        i = path.find("/", i + 1)


def by_paths(found: Cells, paths: Iterable[str]) -> dict[str, Counts]:
    """Sum of the cells under each of ``paths`` ("" = everything); a cell may count for several."""
    result: dict[str, Counts] = {p: ZERO for p in paths}
    for (_, place), counts in found.items():
        for prefix in _prefixes(place):
            if prefix in result:
                result[prefix] = result[prefix] + counts
    return result


def grand_total(found: Cells) -> Counts:
    result = ZERO
    for counts in found.values():
        result = result + counts
    return result


# Building the rollup ------------------------------------------------------------------------


def subdistrict_paths() -> set[str]:
    return set(Node.objects.filter(kind=NodeKind.SUBDISTRICT).values_list("path", flat=True))


def area_of(path: str, subdistricts: set[str]) -> str:
    """The subdistrict path that contains ``path``, or ``path`` itself above the subdistricts."""
    for prefix in _prefixes(path):
        if prefix in subdistricts:
            return prefix
    return path


def _to_areas(found: Cells, subdistricts: set[str]) -> Cells:
    merged: Cells = {}
    for (unit_id, place), counts in found.items():
        _add(merged, (unit_id, area_of(place, subdistricts)), counts)
    return merged


def _query(qs: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    sql, params = qs.query.sql_with_params()
    return sql, tuple(params)


def _raw_cells_dropping_deltas(month: date) -> tuple[Cells, int]:
    """The month's raw cells, and its pending deltas deleted, as of one and the same moment.

    A delta written by a transaction that commits after that moment stays pending and its
    row is not in the raw cells either; one committed before is in both and goes. On
    PostgreSQL one statement does both (a statement reads one snapshot); elsewhere (SQLite)
    the deletion comes first and holds the database's single write lock until commit.
    """
    period = Period.month(month)
    if connection.vendor != "postgresql":
        dropped, _ = RateDelta.objects.filter(month=month).delete()
        return raw_cells(period), dropped
    zero, counts = "0", list(COUNT_FIELDS)
    parts: list[str] = []
    params: list[Any] = [month]
    sources = (
        (_ratings(period, EVERYTHING, None), counts[:8]),
        (_received(period, EVERYTHING, None), ["received"]),
        (_events(period, EVERYTHING, None), ["closed", "reopened"]),
    )
    for qs, present in sources:
        sql, qparams = _query(qs)
        columns = ", ".join(f"s.{f}" if f in present else zero for f in counts)
        parts.append(f"SELECT s.u, s.p, {columns} FROM ({sql}) s")  # noqa: S608 (SQL compiled by the ORM)
        params += qparams
    table = connection.ops.quote_name(RateDelta._meta.db_table)
    zeros = ", ".join([zero] * (len(counts) - 1))
    parts.append(f"SELECT NULL, '{DROPPED}', COUNT(*), {zeros} FROM gone")  # noqa: S608 (constants)
    union = " UNION ALL ".join(parts)
    statement = f"WITH gone AS (DELETE FROM {table} WHERE month = %s RETURNING 1) {union}"  # noqa: S608
    found: Cells = {}
    dropped = 0
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        for unit_id, place, *numbers in cursor.fetchall():
            if place == DROPPED and unit_id is None:
                dropped = int(numbers[0])
                continue
            _add(found, (unit_id, place), Counts(*(int(n) for n in numbers)))
    return found, dropped


DROPPED = "#dropped"  # not a path: marks the row that counts the deleted deltas


def _lock_month(month: date) -> RateRollupMonth:
    marker, _ = RateRollupMonth.objects.get_or_create(month=month, defaults={"built_at": timezone.now()})
    return RateRollupMonth.objects.select_for_update().get(pk=marker.pk)


def rollup_build(month: date) -> RateRollupMonth:
    """(Re)build one month's rollup from raw rows, exactly, in one transaction.

    Any month up to the current one: from then on its figures are the rollup plus the
    deltas written since (``journal``), folded in by ``rollup_compact``.
    """
    month = month_start(month)
    if month > current_month():
        raise ValidationError(gettext("不能汇总尚未开始的月份"), field="month")
    with transaction.atomic():
        marker = _lock_month(month)
        found, _ = _raw_cells_dropping_deltas(month)
        merged = _to_areas(found, subdistrict_paths())
        RateRollup.objects.filter(month=month).delete()
        RateRollup.objects.bulk_create(
            [
                RateRollup(month=month, unit_id=unit_id, area_path=area, **counts.as_dict())
                for (unit_id, area), counts in merged.items()
            ],
            batch_size=2000,
        )
        marker.built_at = timezone.now()
        marker.rated = sum(c.rated for c in merged.values())
        marker.cells = len(merged)
        marker.save(update_fields=["built_at", "rated", "cells"])
    return marker


def rollup_refresh(*, months: Iterable[date] | None = None) -> list[RateRollupMonth]:
    """Rebuild the rollups of ``months`` (built or not) from raw rows; default: every built month.

    For writers that bypass the journal (``bulk_create``, ``QuerySet.update``, raw SQL): a
    bulk historical import calls it with every month its rows touch — the months of the
    requests' reception, of their ratings and of their close/reopen events, e.g.
    ``rollup_refresh(months=Period(first_day, timezone.localdate()).months())``. Months
    after the current one are skipped. Safe while other transactions write (see
    ``_raw_cells_dropping_deltas``); may run inside the importer's transaction.
    """
    if months is None:
        wanted = sorted(RateRollupMonth.objects.values_list("month", flat=True))
    else:
        wanted = sorted({month_start(m) for m in months})
    return [rollup_build(month) for month in wanted if month <= current_month()]


def _fold(month: date, rows: list[tuple[Any, ...]], subdistricts: set[str]) -> None:
    """Add deltas to the month's rollup rows (under the month's lock; the marker row itself is
    not written, so folding never waits for a bulk import holding the marker table)."""
    sums: Cells = {}
    for unit_id, place, *numbers in rows:
        _add(sums, (unit_id, area_of(place, subdistricts)), Counts(*numbers))
    areas = {area for _, area in sums}
    existing: dict[Key, RateRollup] = {}
    for row in RateRollup.objects.filter(month=month, area_path__in=sorted(areas)).order_by("id"):
        existing.setdefault((row.unit_id, row.area_path), row)
    changed: list[tuple[int, Counts]] = []
    created: list[RateRollup] = []
    for (unit_id, area), counts in sums.items():
        found = existing.get((unit_id, area))
        if found is None:
            created.append(RateRollup(month=month, unit_id=unit_id, area_path=area, **counts.as_dict()))
        else:
            changed.append((found.pk, counts))
    _add_to_rows(changed)
    RateRollup.objects.bulk_create(created, batch_size=1000)


def _add_to_rows(changes: list[tuple[int, Counts]], chunk: int = 1000) -> None:
    """``UPDATE … SET n = n + v.n FROM (VALUES …)``: one statement per ``chunk`` rollup rows."""
    quote = connection.ops.quote_name
    table = quote(RateRollup._meta.db_table)
    sets = ", ".join(
        f"{quote(f)} = {table}.{quote(f)} + v.column{i}" for i, f in enumerate(COUNT_FIELDS, start=2)
    )
    row_sql = "(" + ", ".join(["%s"] * (len(COUNT_FIELDS) + 1)) + ")"
    with connection.cursor() as cursor:
        for lo in range(0, len(changes), chunk):
            part = changes[lo : lo + chunk]
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM (VALUES {', '.join([row_sql] * len(part))}) AS v "  # noqa: S608
                f"WHERE {table}.id = v.column1",
                [value for pk, counts in part for value in (pk, *counts.as_tuple())],
            )


def _take_deltas(month: date, limit: int) -> list[tuple[Any, ...]]:
    """Delete and return up to ``limit`` of the month's oldest deltas (under the month's lock).

    The ids first, then ``DELETE … WHERE id = ANY(ids) RETURNING``: primary-key lookups
    whatever the planner believes of this small, ever-changing table (a ``WHERE id IN
    (SELECT … LIMIT)`` semi-join turned quadratic on stale statistics). What is returned is
    exactly what was deleted.
    """
    ids = list(RateDelta.objects.filter(month=month).order_by("id").values_list("id", flat=True)[:limit])
    quote = connection.ops.quote_name
    table = quote(RateDelta._meta.db_table)
    returning = f"RETURNING unit_id, place, {', '.join(quote(f) for f in COUNT_FIELDS)}"
    taken: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s) {returning}", [ids])  # noqa: S608
            return list(cursor.fetchall())
        for lo in range(0, len(ids), 500):
            part = ids[lo : lo + 500]
            placeholders = ", ".join(["%s"] * len(part))
            cursor.execute(f"DELETE FROM {table} WHERE id IN ({placeholders}) {returning}", part)  # noqa: S608
            taken += cursor.fetchall()
    return taken


COMPACT_BATCH = 20_000


def rollup_compact(*, batch: int = COMPACT_BATCH) -> int:
    """Fold the pending deltas of every built month into its rollup; returns how many.

    Deltas of months that have no rollup are left alone (their figures come from raw rows;
    building the month discards them). Each batch is one transaction under the month's
    lock; readers see the month before or after it, never half-way.
    """
    pending = sorted(set(RateDelta.objects.values_list("month", flat=True).distinct()))
    built = set(RateRollupMonth.objects.filter(month__in=pending).values_list("month", flat=True))
    subdistricts = subdistrict_paths() if built else set()
    folded = 0
    for month in (m for m in pending if m in built):
        while True:
            with transaction.atomic():
                marker = RateRollupMonth.objects.select_for_update().filter(month=month).first()
                if marker is None:
                    break
                rows = _take_deltas(month, batch)
                if rows:
                    _fold(month, rows, subdistricts)
            folded += len(rows)
            if len(rows) < batch:
                break
    return folded


def rollup_tick() -> dict[str, Any]:
    """The periodic task (every minute or so): build the current month once, fold the deltas.

    The previous month was built while it was current, so the ranking of the month just
    ended is served from its rollup from the first minute of the new month.
    """
    built = []
    for month in (current_month(), add_months(current_month(), -1)):
        if not RateRollupMonth.objects.filter(month=month).exists():
            built.append(f"{rollup_build(month).month:%Y-%m}")
    return {"built": built, "folded": rollup_compact()}
