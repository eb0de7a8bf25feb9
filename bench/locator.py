"""Point-in-grid lookups per second on a synthetic city of 10,000 grids (no database).

The grids are the Voronoi cells of a 100 x 100 jittered lattice over a city-sized area
(about 38 km x 33 km around Wuxi), clipped to it. The script times:

* building the index (``locator.index_from``: prepared polygons, STRtree, raster);
* single-point lookups through ``GridIndex.lookup`` (the locator's path);
* the same lookups through a plain STRtree query plus a containment test, for comparison.

Run: ``.venv/bin/python bench/locator.py [--grids-per-side 100] [--lookups 200000]``
"""

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import os

import django
import numpy as np
import shapely

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
os.environ.setdefault("CIVICGRID_TESTING", "1")
django.setup()

from civicgrid.territory.locator import GridIndex, Location, Place, index_from  # noqa: E402

WEST, SOUTH, EAST, NORTH = 120.10, 31.40, 120.50, 31.70
TARGET = 100_000.0


def synthetic_grids(per_side: int, seed: int) -> list[tuple[shapely.Polygon, Location]]:
    rng = np.random.default_rng(seed)
    dx, dy = (EAST - WEST) / per_side, (NORTH - SOUTH) / per_side
    i, j = np.meshgrid(np.arange(per_side), np.arange(per_side))
    xs = WEST + (i.ravel() + 0.5 + rng.uniform(-0.4, 0.4, i.size)) * dx
    ys = SOUTH + (j.ravel() + 0.5 + rng.uniform(-0.4, 0.4, j.size)) * dy
    seeds = shapely.multipoints(np.column_stack([xs, ys]))
    envelope = shapely.box(WEST, SOUTH, EAST, NORTH)
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=envelope))
    cells = shapely.intersection(cells, envelope)
    items = []
    for n, cell in enumerate(cells, start=1):
        community = Place(100_000 + n // 8, f"C{n // 8}", f"社区{n // 8}")
        levels = {"grid": Place(n, f"G{n:05d}", f"网格{n}"), "community": community}
        items.append((cell, Location(levels=levels, match="inside")))
    return items


def random_points(count: int, seed: int) -> list[tuple[float, float]]:
    rnd = random.Random(seed)
    return [(rnd.uniform(WEST, EAST), rnd.uniform(SOUTH, NORTH)) for _ in range(count)]


def time_index(index: GridIndex, points: list[tuple[float, float]]) -> tuple[float, int]:
    lookup = index.lookup
    found = 0
    start = time.perf_counter()
    for lon, lat in points:
        if lookup(lon, lat) is not None:
            found += 1
    return time.perf_counter() - start, found


def time_strtree(index: GridIndex, points: list[tuple[float, float]]) -> tuple[float, int]:
    assert index.tree is not None
    tree, geoms, point = index.tree, index.geoms, shapely.Point
    found = 0
    start = time.perf_counter()
    for lon, lat in points:
        for i in tree.query(point(lon, lat)):
            if shapely.contains_xy(geoms[i], lon, lat):
                found += 1
                break
    return time.perf_counter() - start, found


def check_answers(index: GridIndex, points: list[tuple[float, float]]) -> int:
    """Lookups that disagree with a plain test: the first grid (in priority order) holding the point."""
    assert index.tree is not None
    point_idx, grid_idx = index.tree.query(shapely.points(points), predicate="intersects")
    expected: dict[int, int] = {}
    for p, g in zip(point_idx.tolist(), grid_idx.tolist(), strict=True):
        expected[p] = min(g, expected.get(p, g))
    wrong = 0
    for p, (lon, lat) in enumerate(points):
        got = index.lookup(lon, lat)
        want = index.locations[expected[p]] if p in expected else None
        if got is not want:
            wrong += 1
    return wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grids-per-side", type=int, default=100)
    parser.add_argument("--lookups", type=int, default=200_000)
    parser.add_argument("--strtree-lookups", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=20251122)
    args = parser.parse_args()

    items = synthetic_grids(args.grids_per_side, args.seed)
    start = time.perf_counter()
    index = index_from(items)
    build = time.perf_counter() - start
    kinds = {"inside": 0, "boundary": 0, "empty": 0}
    for cell in index.cells:
        kinds["boundary" if isinstance(cell, tuple) else "empty" if cell is None else "inside"] += 1
    print(
        f"grids: {len(items):,}; raster {index.nx} x {index.ny} cells "
        f"({kinds['inside']:,} inside one grid, {kinds['boundary']:,} on a boundary, "
        f"{kinds['empty']:,} empty)"
    )
    print(f"index build: {build:.2f} s")

    points = random_points(args.lookups, args.seed + 1)
    time_index(index, points[:5000])  # warm up
    elapsed, found = time_index(index, points)
    rate = len(points) / elapsed
    print(
        f"GridIndex.lookup: {len(points):,} lookups in {elapsed:.3f} s = {rate:,.0f} lookups/s "
        f"({found:,} found)"
    )

    tree_points = points[: args.strtree_lookups]
    tree_elapsed, tree_found = time_strtree(index, tree_points)
    tree_rate = len(tree_points) / tree_elapsed
    print(
        f"plain STRtree query: {len(tree_points):,} lookups in {tree_elapsed:.3f} s "
        f"= {tree_rate:,.0f} lookups/s "
        f"({tree_found:,} found)"
    )
    print(f"ratio: GridIndex.lookup is {rate / tree_rate:.1f}x the plain STRtree path")

    wrong = check_answers(index, points[:20_000])
    print(f"answers checked against plain containment on 20,000 points: {wrong} wrong")
    verdict = "met" if rate >= TARGET else "MISSED"
    print(f"target {TARGET:,.0f} lookups/s: {verdict}")


if __name__ == "__main__":
    main()
