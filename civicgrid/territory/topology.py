"""Where a polygon or a point may lie in the tree, checked before any geometry is stored.

* A grid lies within its parent's polygon when the parent has one. Real boundaries are
  imprecise, so a part outside is allowed when it is at most ``OUTSIDE_SHARE`` of the grid,
  or lies within ``BOUNDARY_TOLERANCE_M`` of the parent. The same holds the other way: a
  new polygon for a community must still hold the grids it keeps.
* Grids of one type under one parent (a community's comprehensive grids; its dedicated
  grids) do not overlap by more than ``OVERLAP_SHARE`` of the smaller one (and never by
  less than ``OVERLAP_MIN_M2``, slivers of a shared edge). A dedicated grid may lie over
  comprehensive grids by design (the locator prefers the comprehensive one).
* A node's point lies within the polygon of its nearest ancestor that has one, give or
  take ``POINT_TOLERANCE_M``.

``polygons_check`` takes a batch of new polygons (one from a service, hundreds from an
import) and checks them against one another and against what the database keeps, with
one STRtree and prepared parents: a few queries, whatever the size of the batch.
"""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.db.models import QuerySet
from django.utils.translation import gettext
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from civicgrid.territory.geometry import (
    METRES_PER_DEGREE,
    area_m2,
    metres_apart,
    to_local_metres,
)
from civicgrid.territory.models import GridType, Node, NodeKind

OUTSIDE_SHARE = 0.05
BOUNDARY_TOLERANCE_M = 20.0
OVERLAP_SHARE = 0.01
OVERLAP_MIN_M2 = 10.0
POINT_TOLERANCE_M = 50.0
CHUNK = 500
AREA_FIELDS = ("id", "code", "name", "kind", "grid_type", "parent_id")


@dataclass
class Area:
    """A node's polygon: one about to be stored (``key`` says whose, for the caller), or kept."""

    id: int | None  # None: a node not created yet
    code: str
    name: str
    kind: str
    grid_type: str
    parent_id: int | None
    geom: BaseGeometry
    key: Any = None

    @property
    def label(self) -> str:
        return f"{self.code}（{self.name}）"


@dataclass(frozen=True)
class Problem:
    key: Any
    reason: str
    other: Any = None  # the key of the other new polygon an overlap is with


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    items = sorted(set(ids))
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def usable(geojson: Any) -> BaseGeometry | None:
    """A stored geometry as a polygon to compare against; None when it is no boundary."""
    try:
        geom = shape(geojson)
    except (KeyError, ValueError, TypeError, IndexError, AttributeError):
        return None
    if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        return None
    if not geom.is_valid:  # kept from before the checks: compare what it covers
        geom = shapely.make_valid(geom)
        parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
        geom = shapely.union_all(parts)
        if geom.is_empty:
            return None
    return geom


def _area(fields: Sequence[Any], geom: BaseGeometry, key: Any = None) -> Area:
    node_id, code, name, kind, grid_type, parent_id = fields
    return Area(node_id, code, name, kind, grid_type, parent_id, geom, key)


def _kept(queryset: "QuerySet[Node]") -> list[Area]:
    areas = []
    for row in queryset.values_list(*AREA_FIELDS, "geometry"):
        geom = usable(row[-1])
        if geom is not None:
            areas.append(_area(row[:-1], geom))
    return areas


def areas_of(ids: Iterable[int]) -> dict[int, Area]:
    """The polygons the database keeps for these nodes (those that have one)."""
    found: dict[int, Area] = {}
    for batch in _chunks(ids):
        for area in _kept(Node.objects.filter(pk__in=batch, geometry__isnull=False)):
            assert area.id is not None
            found[area.id] = area
    return found


def nearest_areas(paths: Iterable[Sequence[int]]) -> dict[int, Area]:
    """For each path (node ids, root first), the polygon of its deepest node that has one."""
    paths = [list(p) for p in paths]
    with_polygon: set[int] = set()
    for batch in _chunks(i for path in paths for i in path):
        with_polygon.update(
            Node.objects.filter(pk__in=batch, geometry__isnull=False).values_list("id", flat=True)
        )
    nearest = {next((i for i in reversed(path) if i in with_polygon), None) for path in paths}
    return areas_of(i for i in nearest if i is not None)


def planned_areas(changes: Mapping[int, tuple[Any, BaseGeometry]]) -> list[Area]:
    """New polygons for existing nodes: node id -> (key, geometry as it will be stored)."""
    areas = []
    for batch in _chunks(changes):
        for fields in Node.objects.filter(pk__in=batch).values_list(*AREA_FIELDS):
            key, geom = changes[fields[0]]
            areas.append(_area(fields, geom, key))
    return areas


# --- formatting ---------------------------------------------------------------------------


def _metres(metres: float) -> str:
    return (
        gettext("{metres:.0f} 米").format(metres=metres)
        if metres < 1000
        else gettext("{km:.1f} 公里").format(km=metres / 1000)
    )


def _square_metres(m2: float) -> str:
    return (
        gettext("{m2:.0f} 平方米").format(m2=m2)
        if m2 < 1_000_000
        else gettext("{km2:.2f} 平方公里").format(km2=m2 / 1_000_000)
    )


def _share(share: float) -> str:
    return f"{share:.0%}" if share >= 0.1 else f"{share:.1%}"


# --- a polygon within its parent ---------------------------------------------------------


def _near_enough(outside: BaseGeometry, parent: BaseGeometry) -> bool:
    """Whether every part of ``outside`` lies within ``BOUNDARY_TOLERANCE_M`` of ``parent``."""
    minx, miny, maxx, maxy = outside.bounds
    lat0 = (miny + maxy) / 2
    pad_lat = 2 * BOUNDARY_TOLERANCE_M / METRES_PER_DEGREE
    pad_lon = pad_lat / max(np.cos(np.radians(lat0)), 0.01)
    near = shapely.clip_by_rect(parent, minx - pad_lon, miny - pad_lat, maxx + pad_lon, maxy + pad_lat)
    if near.is_empty:
        return False
    lon0 = (minx + maxx) / 2
    zone = to_local_metres(near, lon0, lat0).buffer(BOUNDARY_TOLERANCE_M, quad_segs=4)
    return bool(zone.covers(to_local_metres(outside, lon0, lat0)))


def outside_problem(child: BaseGeometry, parent: BaseGeometry, where: str) -> str:
    """How ``child`` strays out of ``parent`` (called ``where``) beyond the tolerances; ""
    when it does not."""
    if parent.covers(child):
        return ""
    if not parent.intersects(child):
        return gettext("不在{where}内（相距约 {metres}）").format(
            where=where, metres=_metres(metres_apart(child, parent))
        )
    outside = child.difference(parent)
    outside_m2, child_m2 = area_m2(outside), area_m2(child)
    if outside_m2 <= OUTSIDE_SHARE * child_m2 or _near_enough(outside, parent):
        return ""
    share = outside_m2 / child_m2 if child_m2 else 1.0
    return gettext(
        "约 {share}（{square_metres}）超出{where}（允许边界外 {boundary_tolerance_m:.0f} "
        "米以内或不超过 {outside_share:.0%}）"
    ).format(
        share=_share(share),
        square_metres=_square_metres(outside_m2),
        where=where,
        boundary_tolerance_m=BOUNDARY_TOLERANCE_M,
        outside_share=OUTSIDE_SHARE,
    )


# --- the batch check ------------------------------------------------------------------------


def polygons_check(placed: Sequence[Area]) -> list[Problem]:
    """Problems of new polygons (each stored as given: rounded, valid) where they would lie."""
    grids = [a for a in placed if a.kind == NodeKind.GRID]
    new_by_id = {a.id: a for a in placed if a.id is not None}
    parent_ids = {g.parent_id for g in grids if g.parent_id is not None}
    parents = {pid: new_by_id[pid] for pid in parent_ids if pid in new_by_id}
    parents.update(areas_of(parent_ids - set(parents)))
    holders = parent_ids | {a.id for a in placed if a.kind != NodeKind.GRID and a.id is not None}
    kept: list[Area] = []
    for batch in _chunks(holders):
        queryset = Node.objects.filter(
            parent_id__in=batch, kind=NodeKind.GRID, is_active=True, geometry__isnull=False
        )
        kept += [a for a in _kept(queryset) if a.id not in new_by_id]
    for parent in parents.values():
        shapely.prepare(parent.geom)
    problems: list[Problem] = []
    for grid in grids:
        above = parents.get(grid.parent_id) if grid.parent_id is not None else None
        if above is None:
            continue
        if reason := outside_problem(
            grid.geom, above.geom, gettext("上级区域 {label}的范围").format(label=above.label)
        ):
            problems.append(Problem(grid.key, gettext("网格{reason}").format(reason=reason)))
    problems += _children_outside(placed, kept)
    problems += _overlaps(grids, kept)
    return problems


def _children_outside(placed: Sequence[Area], kept: list[Area]) -> list[Problem]:
    """A new polygon of a community (or subdistrict) must still hold the grids it keeps."""
    children: dict[int | None, list[Area]] = {}
    for grid in kept:
        children.setdefault(grid.parent_id, []).append(grid)
    problems = []
    for area in placed:
        if area.kind == NodeKind.GRID or area.id is None:
            continue
        for child in children.get(area.id, []):
            if reason := outside_problem(child.geom, area.geom, gettext("新范围")):
                problems.append(
                    Problem(
                        area.key, gettext("下级网格 {label}{reason}").format(label=child.label, reason=reason)
                    )
                )
    return problems


def _overlaps(grids: list[Area], kept: list[Area]) -> list[Problem]:
    """Grids of one type under one parent that overlap (new ones against new and kept ones)."""
    if not grids:
        return []
    items = grids + kept
    tree = shapely.STRtree([a.geom for a in items])
    left, right = tree.query([g.geom for g in grids], predicate="intersects")
    pairs = [
        (int(i), int(j))
        for i, j in zip(left.tolist(), right.tolist(), strict=True)
        if i != j
        and items[i].parent_id is not None
        and (items[i].parent_id, items[i].grid_type) == (items[j].parent_id, items[j].grid_type)
    ]
    if not pairs:
        return []
    shared = shapely.intersection([items[i].geom for i, _ in pairs], [items[j].geom for _, j in pairs])
    areas: dict[int, float] = {}
    problems = []
    for (i, j), common in zip(pairs, shared, strict=True):
        overlap = area_m2(common)
        if overlap <= OVERLAP_MIN_M2:
            continue
        for k in (i, j):
            if k not in areas:
                areas[k] = area_m2(items[k].geom)
        smaller = min(areas[i], areas[j])
        if overlap <= OVERLAP_SHARE * smaller:
            continue
        one, other = items[i], items[j]
        label = GridType(one.grid_type).label if one.grid_type in GridType.values else gettext("网格")
        share = _share(overlap / smaller if smaller else 1.0)
        problems.append(
            Problem(
                one.key,
                gettext(
                    "与{kind} {other}重叠约 {square_metres}（占较小者的 {share}）："
                    "同一上级区域下的{kind}不能重叠"
                ).format(kind=label, other=other.label, square_metres=_square_metres(overlap), share=share),
                other=other.key if j < len(grids) else None,
            )
        )
    return problems


# --- a point within its area -------------------------------------------------------------


def point_problem(lon: float, lat: float, path_ids: Sequence[int], areas: Mapping[int, Area]) -> str:
    """Why (lon, lat) cannot belong under the nodes ``path_ids`` (root first); "" when it can.

    The point is checked against the nearest of them that has a polygon in ``areas``.
    """
    for node_id in reversed(path_ids):
        area = areas.get(node_id)
        if area is None:
            continue
        if shapely.intersects_xy(area.geom, lon, lat):
            return ""
        distance = metres_apart(shapely.Point(lon, lat), area.geom)
        if distance <= POINT_TOLERANCE_M:
            return ""
        return gettext(
            "坐标（{lon:.10g}, {lat:.10g}）不在上级区域 {label}的范围内（相距约 "
            "{metres}），请检查经纬度是否填反、是否为 WGS-84 坐标"
        ).format(lon=lon, lat=lat, label=area.label, metres=_metres(distance))
    return ""
