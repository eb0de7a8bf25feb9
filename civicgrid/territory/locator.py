"""Point-in-grid lookup: which grid, community, subdistrict and district contain a point.

The index is built in memory from every active grid polygon:

* an STRtree over the polygons (candidates, and the nearest grid for points outside);
* in front of it, a uniform raster of cells. A cell wholly inside one grid answers a
  lookup with two multiplications and a list index; a cell on a boundary keeps its few
  candidate grids and tests the point against them (prepared geometries); an empty cell
  sends the point to the nearest-grid search.

Each process keeps one index and rebuilds it when ``GeometryVersion`` moves (checked at
most every ``LOCATOR_CHECK_SECONDS``); a rebuild swaps in a new object, so concurrent
lookups never see a half-built index.
"""

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from shapely.geometry import shape
from shapely.ops import nearest_points

from civicgrid.territory.geometry import metres_between, to_wgs84
from civicgrid.territory.models import GeometryVersion, GridType, Node, NodeKind

LEVELS = (NodeKind.GRID, NodeKind.COMMUNITY, NodeKind.SUBDISTRICT, NodeKind.DISTRICT, NodeKind.CITY)
EMPTY = -1


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
        return self.levels[NodeKind.GRID]

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

    def lookup(self, lon: float, lat: float) -> Location | None:
        """The grid containing the point (comprehensive grids win over dedicated ones)."""
        if not self.cells:
            return None
        i = int((lon - self.x0) * self.inv_w)
        j = int((lat - self.y0) * self.inv_h)
        if i < 0 or j < 0 or i >= self.nx or j >= self.ny:
            return None
        cell = self.cells[j * self.nx + i]
        if cell.__class__ is int:
            return None if cell == EMPTY else self.locations[cell]
        for index in cell:
            if shapely.contains_xy(self.geoms[index], lon, lat):
                return self.locations[index]
        return None

    def nearest(self, lon: float, lat: float, max_metres: float) -> Location | None:
        if self.tree is None or max_metres <= 0:
            return None
        point = shapely.Point(lon, lat)
        # Degrees of longitude shrink with latitude: search a box wide enough, then measure.
        max_deg = max_metres / (111_320.0 * max(math.cos(math.radians(lat)), 0.01))
        indices = self.tree.query_nearest(point, max_distance=max_deg, all_matches=True)
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
        .only("id", "code", "name", "path", "geometry", "grid_type")
        .order_by("grid_type", "id")  # "comprehensive" sorts before "dedicated"
    )
    grids.sort(key=lambda g: (g.grid_type != GridType.COMPREHENSIVE, g.pk))
    ancestor_ids = {int(p) for g in grids for p in g.path.strip("/").split("/")[:-1]}
    upper = _places(list(Node.objects.filter(pk__in=ancestor_ids).only("id", "kind", "code", "name")))
    geoms, locations = [], []
    for grid in grids:
        geom = shape(grid.geometry)
        shapely.prepare(geom)
        geoms.append(geom)
        levels = {NodeKind.GRID.value: Place(grid.pk, grid.code, grid.name)}
        for part in grid.path.strip("/").split("/")[:-1]:
            kind, place = upper.get(int(part), ("", None))
            if place is not None and kind in LEVELS:
                levels[kind] = place
        locations.append(Location(levels=levels, match="inside"))
    index = GridIndex(version=version, geoms=geoms, locations=locations, tree=None)
    if geoms:
        index.tree = shapely.STRtree(geoms)
        _build_cells(index)
    return index


def _build_cells(index: GridIndex, cells_per_grid: int = 24) -> None:
    """Raster the extent; each cell is a grid index, EMPTY, or a tuple of candidates."""
    assert index.tree is not None
    geoms = np.array(index.geoms, dtype=object)
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    width, height = max(maxx - minx, 1e-9), max(maxy - miny, 1e-9)
    target = max(len(geoms) * cells_per_grid, 64)
    size = math.sqrt(width * height / target)
    nx, ny = max(1, math.ceil(width / size)), max(1, math.ceil(height / size))
    xs = minx + np.arange(nx) * size
    ys = miny + np.arange(ny) * size
    gx, gy = np.meshgrid(xs, ys)  # row-major: j * nx + i
    boxes = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + size, gy.ravel() + size)
    box_idx, geom_idx = index.tree.query(boxes, predicate="intersects")
    candidates: list[list[int]] = [[] for _ in range(len(boxes))]
    for b, g in zip(box_idx.tolist(), geom_idx.tolist(), strict=True):
        candidates[b].append(g)
    single = [b for b, c in enumerate(candidates) if len(c) == 1]
    covered = shapely.covers(geoms[[candidates[b][0] for b in single]], boxes[single]) if single else []
    cells: list[Any] = []
    covered_set = {b for b, ok in zip(single, covered, strict=True) if ok}
    for b, cands in enumerate(candidates):
        if not cands:
            cells.append(EMPTY)
        elif b in covered_set:
            cells.append(cands[0])
        else:
            cells.append(tuple(sorted(cands)))  # lower index = comprehensive first
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
        return index.nearest(lon, lat, limit)


locator = Locator()
