"""Point-in-grid lookup: which grid, community, subdistrict and district contain a point.

The index is built in memory from every active grid polygon:

* an STRtree over the polygons (the nearest grid for points outside every grid);
* in front of it, a uniform raster of about 32 cells per grid. A cell wholly inside one
  grid holds that grid's answer: a lookup is two multiplications and a list index. A cell
  on a boundary holds its grids in priority order with what to test a point against:
  the grid's rings, tested in Python when they are small (far cheaper than a call into
  GEOS), else the grid's piece clipped to the cell, else its prepared polygon. When the
  territory covers the whole cell, its last grid needs no test.

A point inside no grid is looked up, the same way, in a second index over the active
community and subdistrict polygons (communities before subdistricts): a newly imported
county has those long before its grids, and a point there is located to the smallest of
them instead of to nothing. Only then comes the nearest grid.

Each process keeps one index and rebuilds it when ``GeometryVersion`` moves (checked at
most every ``LOCATOR_CHECK_SECONDS``); a rebuild swaps in a new object, so concurrent
lookups never see a half-built index.
"""

import math
import threading
import time
from array import array
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.lib import contains_xy
from shapely.ops import nearest_points

from civicgrid.territory.geometry import metres_between, to_wgs84
from civicgrid.territory.models import GeometryVersion, GridType, Node, NodeKind

LEVELS = (NodeKind.GRID, NodeKind.COMMUNITY, NodeKind.SUBDISTRICT, NodeKind.DISTRICT, NodeKind.CITY)
# The kinds whose polygons the locator reads, smallest first: a change to one of their
# polygons (or to where they stand) moves ``GeometryVersion``.
LOCATED_KINDS = (NodeKind.GRID, NodeKind.COMMUNITY, NodeKind.SUBDISTRICT)
AREA_KINDS = (NodeKind.COMMUNITY, NodeKind.SUBDISTRICT)


@dataclass(frozen=True)
class Place:
    id: int
    code: str
    name: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "code": self.code, "name": self.name}


@dataclass(frozen=True)
class Location:
    levels: dict[str, Place]
    match: str  # "inside" or "nearest"
    distance_m: float = 0.0

    @property
    def grid(self) -> Place:
        """The grid containing the point; where no grid does, the smallest located area
        (community, else subdistrict) that does: the node a point is filed on."""
        for kind in LOCATED_KINDS:
            place = self.levels.get(kind)
            if place is not None:
                return place
        return self.levels[NodeKind.GRID]

    @property
    def in_grid(self) -> bool:
        """Whether a grid was found (inside or nearest), not only a community or subdistrict."""
        return NodeKind.GRID in self.levels

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {level: None for level in LEVELS}
        data.update({level: place.as_dict() for level, place in self.levels.items()})
        data["match"] = self.match
        data["distance_m"] = round(self.distance_m, 1)
        return data


@dataclass
class GridIndex:
    version: int
    geoms: list[Any]
    locations: list[Location]
    tree: shapely.STRtree | None
    x0: float = 0.0
    y0: float = 0.0
    inv_w: float = 0.0
    inv_h: float = 0.0
    nx: int = 0
    ny: int = 0
    cells: list[Any] = field(default_factory=list)
    # Communities and subdistricts, for points inside no grid (None: not built / none).
    areas: "GridIndex | None" = None

    def lookup(self, lon: float, lat: float) -> Location | None:
        """The grid containing the point (comprehensive grids win over dedicated ones)."""
        fx = (lon - self.x0) * self.inv_w
        fy = (lat - self.y0) * self.inv_h
        # Compare before truncating: int() would round -0.5 up to 0, into the first cell.
        if not (0.0 <= fx < self.nx and 0.0 <= fy < self.ny):
            return None
        cell = self.cells[int(fy) * self.nx + int(fx)]
        if cell.__class__ is not tuple:
            return cell  # inside one grid, or None: no grid here
        # A boundary cell: (default, test, location, test, location, ...). A test is the
        # rings of a grid (checked here) or its prepared polygon (checked by GEOS).
        for n in range(1, len(cell), 2):
            test = cell[n]
            if _in_rings(test, lon, lat) if test.__class__ is tuple else contains_xy(test, lon, lat):
                return cell[n + 1]
        return cell[0]

    def nearest(self, lon: float, lat: float, max_metres: float) -> Location | None:
        if self.tree is None or max_metres <= 0:
            return None
        point = shapely.Point(lon, lat)
        # Degrees of longitude shrink with latitude: take every grid in a box wide enough
        # (with a 1% margin) and compare them in metres, not in degrees.
        dlat = max_metres * 1.01 / 111_195.0
        dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
        indices = self.tree.query(shapely.box(lon - dlon, lat - dlat, lon + dlon, lat + dlat))
        best: tuple[float, int] | None = None
        for index in indices:
            near = nearest_points(self.geoms[index], point)[0]
            metres = metres_between(lon, lat, near.x, near.y)
            if metres <= max_metres and (best is None or metres < best[0]):
                best = (metres, int(index))
        if best is None:
            return None
        found = self.locations[best[1]]
        return Location(levels=found.levels, match="nearest", distance_m=best[0])


def _places(nodes: list[Node]) -> dict[int, tuple[str, Place]]:
    return {n.pk: (n.kind, Place(n.pk, n.code, n.name)) for n in nodes}


def build_index(version: int) -> GridIndex:
    grids = list(
        Node.objects.filter(kind=NodeKind.GRID, is_active=True, geometry__isnull=False)
        .only("id", "kind", "code", "name", "path", "geometry", "grid_type")
        .order_by("grid_type", "id")  # "comprehensive" sorts before "dedicated"
    )
    grids.sort(key=lambda g: (g.grid_type != GridType.COMPREHENSIVE, g.pk))
    areas = list(
        Node.objects.filter(kind__in=AREA_KINDS, is_active=True, geometry__isnull=False).only(
            "id", "kind", "code", "name", "path", "geometry"
        )
    )
    areas.sort(key=lambda a: (AREA_KINDS.index(NodeKind(a.kind)), a.pk))  # communities first
    located = [*grids, *areas]
    ancestor_ids = {int(p) for g in located for p in g.path.strip("/").split("/")[:-1]}
    upper = _places(list(Node.objects.filter(pk__in=ancestor_ids).only("id", "kind", "code", "name")))

    def item(node: Node) -> tuple[BaseGeometry, Location]:
        levels = {str(node.kind): Place(node.pk, node.code, node.name)}
        for part in node.path.strip("/").split("/")[:-1]:
            kind, place = upper.get(int(part), ("", None))
            if place is not None and kind in LEVELS:
                levels[kind] = place
        return shape(node.geometry), Location(levels=levels, match="inside")

    index = index_from([item(g) for g in grids], version=version)
    index.areas = index_from([item(a) for a in areas], version=version)
    return index


def index_from(items: list[tuple[BaseGeometry, Location]], *, version: int = 0) -> GridIndex:
    """An index over (polygon, location) pairs, without the database.

    Earlier items win where polygons overlap (``build_index`` puts comprehensive grids first).
    An empty polygon (a grid stored before imports refused them) is no boundary: left out.
    """
    items = [(geom, loc) for geom, loc in items if not geom.is_empty]
    geoms = [geom for geom, _ in items]
    for geom in geoms:
        shapely.prepare(geom)
    index = GridIndex(version=version, geoms=geoms, locations=[loc for _, loc in items], tree=None)
    if geoms:
        index.tree = shapely.STRtree(geoms)
        _build_cells(index)
    return index


def _in_rings(rings: "tuple[array[float], ...]", x: float, y: float) -> bool:
    """Even-odd rule over closed rings stored flat as (x0, y0, x1, y1, ..., x0, y0)."""
    inside = False
    for ring in rings:
        x1, y1 = ring[0], ring[1]
        for k in range(2, len(ring), 2):
            x2, y2 = ring[k], ring[k + 1]
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
            x1, y1 = x2, y2
    return inside


# Rings with more vertices than this, in all, are tested by GEOS instead of in Python.
MAX_RING_VERTICES = 32


def _flat_rings(geoms: Any) -> "list[tuple[array[float], ...] | None]":
    """The rings of each polygonal geometry as flat (x0, y0, x1, y1, ...) arrays.

    None for a geometry with more than ``MAX_RING_VERTICES`` vertices.
    """
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    polygonal = shapely.get_type_id(parts) == 3  # clipping may also leave lines or points
    parts, part_of = parts[polygonal], part_of[polygonal]
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    bounds = np.searchsorted(coord_ring, np.arange(len(rings) + 1))
    ring_geom = part_of[ring_part]
    vertices = np.bincount(ring_geom, weights=np.diff(bounds), minlength=len(geoms))
    result: list[list[array[float]]] = [[] for _ in range(len(geoms))]
    for r in np.nonzero(vertices[ring_geom] <= MAX_RING_VERTICES)[0].tolist():
        result[ring_geom[r]].append(array("d", coords[bounds[r] : bounds[r + 1]].ravel().tobytes()))
    return [tuple(rs) if vertices[g] <= MAX_RING_VERTICES else None for g, rs in enumerate(result)]


def _build_cells(index: GridIndex, cells_per_grid: int = 32) -> None:
    """Raster the extent into cells: a grid's Location, None (no grid), or a boundary tuple.

    A boundary cell holds ``(default, test, location, test, location, ...)``: its grids in
    priority order, each with what to test a point against (the grid's own rings when it
    has few vertices, else its piece clipped to the cell; failing both, its prepared
    polygon), and the Location of the grid that takes what the others leave (None where
    the territory does not cover the whole cell).
    """
    assert index.tree is not None
    geoms = np.array(index.geoms, dtype=object)
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    width, height = max(maxx - minx, 1e-9), max(maxy - miny, 1e-9)
    target = max(len(geoms) * cells_per_grid, 64)
    size = math.sqrt(width * height / target)
    nx, ny = max(1, math.ceil(width / size)), max(1, math.ceil(height / size))
    gx, gy = np.meshgrid(minx + np.arange(nx) * size, miny + np.arange(ny) * size)  # row-major
    boxes = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + size, gy.ravel() + size)
    box_idx, geom_idx = index.tree.query(boxes, predicate="intersects")
    order = np.lexsort((geom_idx, box_idx))  # by cell, then lower index (comprehensive) first
    box_idx, geom_idx = box_idx[order], geom_idx[order]
    first = np.searchsorted(box_idx, np.arange(len(boxes) + 1))
    count = np.diff(first)
    # Cells inside one grid; and cells whose grids together cover them (the territory does).
    single = np.zeros(len(boxes), dtype=bool)
    at = first[:-1][count == 1]
    single[box_idx[at]] = shapely.covers(geoms[geom_idx[at]], boxes[box_idx[at]])
    covered = np.zeros(len(boxes), dtype=bool)
    mixed = np.nonzero((count > 1) | ((count == 1) & ~single))[0]
    territory = shapely.union_all(geoms)
    shapely.prepare(territory)
    covered[mixed] = shapely.covers(territory, boxes[mixed])
    # Rings to test: every grid of a mixed cell but the default one.
    tested = np.zeros(len(box_idx), dtype=bool)
    for_mixed = np.repeat(np.isin(np.arange(len(boxes)), mixed), count)
    last = np.zeros(len(box_idx), dtype=bool)
    last[first[1:][count > 0] - 1] = True
    tested = for_mixed & ~(last & covered[box_idx])
    own = _flat_rings(geoms)
    rings: dict[int, Any] = {}
    detailed = np.nonzero(tested & np.array([own[g] is None for g in geom_idx.tolist()], dtype=bool))[0]
    if len(detailed):
        pieces = shapely.intersection(geoms[geom_idx[detailed]], boxes[box_idx[detailed]])
        rings = dict(zip(detailed.tolist(), _flat_rings(pieces), strict=True))
    locations = index.locations
    gids = geom_idx.tolist()
    tests: list[Any] = [
        (rings.get(k) or own[g] or index.geoms[g]) if t else None
        for k, (g, t) in enumerate(zip(gids, tested.tolist(), strict=True))
    ]
    cells: list[Any] = []
    starts, is_single, is_covered = first.tolist(), single.tolist(), covered.tolist()
    for b in range(len(boxes)):
        lo, hi = starts[b], starts[b + 1]
        if lo == hi:
            cells.append(None)
        elif is_single[b]:
            cells.append(locations[gids[lo]])
        else:
            cell: list[Any] = [locations[gids[hi - 1]] if is_covered[b] else None]
            for k in range(lo, hi):
                if tests[k] is not None:
                    cell += (tests[k], locations[gids[k]])
            cells.append(tuple(cell))
    index.x0, index.y0 = float(minx), float(miny)
    index.inv_w = index.inv_h = 1.0 / size
    index.nx, index.ny = nx, ny
    index.cells = cells


class Locator:
    def __init__(self) -> None:
        self._index: GridIndex | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def _current_version(self) -> int:
        row = GeometryVersion.objects.filter(pk=1).values_list("version", flat=True).first()
        return int(row or 0)

    def index(self) -> GridIndex:
        now = time.monotonic()
        index = self._index
        if index is not None and now - self._checked_at < settings.LOCATOR_CHECK_SECONDS:
            return index
        version = self._current_version()
        self._checked_at = now
        if index is not None and index.version == version:
            return index
        with self._lock:
            if self._index is None or self._index.version != version:
                self._index = build_index(version)
            return self._index

    def invalidate(self) -> None:
        self._index = None

    def locate(
        self, lon: float, lat: float, *, crs: str = "wgs84", max_metres: float | None = None
    ) -> Location | None:
        lon, lat = to_wgs84(lon, lat, crs)
        index = self.index()
        found = index.lookup(lon, lat)
        if found is not None:
            return found
        limit = settings.LOCATOR_NEAREST_METRES if max_metres is None else max_metres
        near = index.nearest(lon, lat, limit)
        area = index.areas.lookup(lon, lat) if index.areas is not None else None
        if area is None or (near is not None and _within(near, area)):
            # A sliver between the grids of the area the point is in: its nearest grid, as
            # before (the grid worker sees it); an area without grids near: the area.
            return near
        return area


def _within(near: Location, area: Location) -> bool:
    """Whether the nearest grid lies in the area (community or subdistrict) found for the point."""
    place = area.grid  # the smallest area found
    kind = next(k for k in AREA_KINDS if area.levels.get(k) is place)
    held = near.levels.get(kind)
    return held is not None and held.id == place.id


locator = Locator()
