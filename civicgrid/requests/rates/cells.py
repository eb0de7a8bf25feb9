"""Counts per (handling unit, place), from raw rows or from the monthly rollup.

A *cell* is ``(unit_id, path) -> Counts``. Raw cells come from three aggregate queries
(ratings, requests received, close/reopen events) over indexed columns; rollup cells are
the rows of ``RateRollup`` for a month, where the path is the subdistrict containing the
place. Grouping by unit or by territory node is a sum of cells, so both sources give the
same integers for every group the rollup can answer (units, and nodes at or above the
subdistrict level).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from civicgrid.core.errors import ValidationError
from civicgrid.requests.constants import Action, Resolution, Satisfaction
from civicgrid.requests.models import Rating, Request, RequestEvent
from civicgrid.requests.rates.figures import COUNT_FIELDS, ZERO, Counts, Period, month_start
from civicgrid.requests.rollups import RateRollup, RateRollupMonth
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


def rollup_cells(month: date, where: Slice = EVERYTHING, *, by: str | None = None) -> Cells:
    qs = _restrict(RateRollup.objects.filter(month=month), where, unit="unit_id", path="area_path")
    if by is None:
        return {
            (unit_id, area): Counts(*numbers)
            for unit_id, area, *numbers in qs.values_list("unit_id", "area_path", *COUNT_FIELDS).order_by()
        }
    sums = {name: Sum(name) for name in COUNT_FIELDS}
    rows = qs.values(**_keys(by, "unit_id", "area_path")).annotate(**sums).order_by()
    return {_key(row): Counts.of(row) for row in rows}


def rollup_ready(month: date) -> bool:
    return month < current_month() and RateRollupMonth.objects.filter(month=month).exists()


def _paths_rollup_safe(paths: tuple[str, ...] | None) -> bool:
    wanted = {p for p in paths or () if p}
    if not wanted:
        return True
    return Node.objects.filter(path__in=wanted, kind__in=ROLLUP_KINDS).count() == len(wanted)


def cells(
    period: Period, where: Slice = EVERYTHING, *, source: str = AUTO, by: str | None = None
) -> tuple[Cells, str]:
    """Cells of the period and the source used: the rollup for a built, ended month, else raw rows."""
    month = period.whole_month
    use_rollup = (
        source != RAW and month is not None and rollup_ready(month) and _paths_rollup_safe(where.paths)
    )
    if source == ROLLUP and not use_rollup:
        raise ValidationError("该月尚未生成汇总，或所选区域低于街道一级", field="month")
    if use_rollup:
        assert month is not None
        return rollup_cells(month, where, by=by), ROLLUP
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


def _area_cells(month: date) -> Cells:
    subdistricts = subdistrict_paths()
    merged: Cells = {}
    for (unit_id, place), counts in raw_cells(Period.month(month)).items():
        _add(merged, (unit_id, area_of(place, subdistricts)), counts)
    return merged


@transaction.atomic
def rollup_build(month: date) -> RateRollupMonth:
    """Rebuild one ended month's rollup from raw rows, exactly, in one transaction."""
    month = month_start(month)
    if month >= current_month():
        raise ValidationError(
            "只能汇总已结束的月份；本月及以后的数据仍在变化，按原始记录实时计算", field="month"
        )
    marker, _ = RateRollupMonth.objects.get_or_create(month=month, defaults={"built_at": timezone.now()})
    marker = RateRollupMonth.objects.select_for_update().get(pk=marker.pk)
    merged = _area_cells(month)
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
