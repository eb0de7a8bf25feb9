"""Geometry for the demo city: seed points, Voronoi tilings clipped to a region, sampling.

All coordinates are WGS-84 longitude/latitude degrees. Every function takes the caller's
``random.Random`` so that one seed gives one city.
"""

import math
import random
from typing import Any

import shapely
from shapely.geometry import MultiPoint
from shapely.geometry.base import BaseGeometry

from civicgrid.territory.geometry import geometry_to_geojson

LonLat = tuple[float, float]
METRES_PER_DEGREE = 111_320.0


def degrees(metres: float, lat: float = 0.0) -> float:
    """Roughly how many degrees of longitude ``metres`` span at ``lat``."""
    return metres / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.2))


def sample_points(region: BaseGeometry, n: int, rng: random.Random) -> list[LonLat]:
    """``n`` points uniformly inside ``region`` (rejection sampling in its bounding box)."""
    minx, miny, maxx, maxy = region.bounds
    shapely.prepare(region)
    found: list[LonLat] = []
    while len(found) < n:
        batch = max(2 * (n - len(found)), 16)
        xs = [minx + rng.random() * (maxx - minx) for _ in range(batch)]
        ys = [miny + rng.random() * (maxy - miny) for _ in range(batch)]
        inside = shapely.contains_xy(region, xs, ys)
        found.extend((x, y) for x, y, ok in zip(xs, ys, inside, strict=True) if ok)
    return found[:n]


def point_near(
    centre: LonLat, spread_m: float, region: BaseGeometry, rng: random.Random, tries: int = 30
) -> LonLat:
    """A point scattered (Gaussian) around ``centre`` that lies in ``region``."""
    sx, sy = degrees(spread_m, centre[1]), spread_m / METRES_PER_DEGREE
    for _ in range(tries):
        x, y = centre[0] + rng.gauss(0, sx), centre[1] + rng.gauss(0, sy)
        if shapely.contains_xy(region, x, y):
            return x, y
    return sample_points(region, 1, rng)[0]


def distinct(points: list[LonLat], region: BaseGeometry, rng: random.Random) -> list[LonLat]:
    """The points, with exact or near duplicates nudged apart (Voronoi merges duplicates)."""
    seen: set[tuple[int, int]] = set()
    out: list[LonLat] = []
    for x, y in points:
        while (key := (round(x * 1e5), round(y * 1e5))) in seen:
            x, y = point_near((x, y), 30.0, region, rng)
        seen.add(key)
        out.append((x, y))
    return out


def voronoi_cells(points: list[LonLat], region: BaseGeometry) -> list[BaseGeometry]:
    """The Voronoi cell of each point (same order), clipped to ``region``."""
    if len(points) == 1:
        return [region]
    diagram = shapely.voronoi_polygons(MultiPoint(points), extend_to=region, ordered=True)
    cells = [shapely.intersection(cell, region) for cell in diagram.geoms]
    return [_polygonal(cell) for cell in cells]


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Drop the points and lines an intersection may leave next to the polygons."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def split(region: BaseGeometry, n: int, rng: random.Random, relax: int = 2) -> list[BaseGeometry]:
    """``n`` compact pieces tiling ``region``: Voronoi of random points, Lloyd-relaxed."""
    if n <= 1:
        return [region]
    points = distinct(sample_points(region, n, rng), region, rng)
    cells = voronoi_cells(points, region)
    for _ in range(relax):
        moved = [_inner_point(cell, point) for cell, point in zip(cells, points, strict=True)]
        points = distinct(moved, region, rng)
        cells = voronoi_cells(points, region)
    return cells


def _inner_point(cell: BaseGeometry, fallback: LonLat) -> LonLat:
    if cell.is_empty:
        return fallback
    centroid = cell.centroid
    if cell.contains(centroid):
        return centroid.x, centroid.y
    inner = cell.point_on_surface()
    return inner.x, inner.y


def snapped(geom: BaseGeometry) -> tuple[BaseGeometry, dict[str, Any]]:
    """The geometry as stored (7 decimals, valid) and its GeoJSON."""
    geojson = geometry_to_geojson(geom)
    return shapely.geometry.shape(geojson), geojson


def interior(geom: BaseGeometry, margin_m: float = 3.0) -> BaseGeometry:
    """The geometry shrunk by a few metres, for points that must be clearly inside it."""
    centroid = geom.centroid
    lat = centroid.y if not centroid.is_empty else 30.0
    inner = geom.buffer(-degrees(margin_m, lat))
    return inner if not inner.is_empty and inner.area > geom.area * 0.2 else geom


def box_around(centre: LonLat, half_m: float, region: BaseGeometry) -> BaseGeometry:
    """A small square around ``centre``, clipped to ``region`` (a dedicated grid)."""
    dx, dy = degrees(half_m, centre[1]), half_m / METRES_PER_DEGREE
    square = shapely.box(centre[0] - dx, centre[1] - dy, centre[0] + dx, centre[1] + dy)
    return _polygonal(shapely.intersection(square, region))
