"""Places and their polygons: the city, districts, subdistricts, communities and grids.

Subdistricts are the Voronoi cells of their towns' centres (the middle of their
communities' real coordinates where the source has several), clipped to the real county
boundary, so each is one piece. Communities are the Voronoi cells, within their
subdistrict, of one point each: the real coordinates where the source has them and they
fall inside, otherwise a point scattered around the town's centre. Subdistricts,
districts and the city are stored as the unions of their communities' cells. Each
community is then split into its grids (Voronoi of random points, Lloyd-relaxed).
"""

import random
from dataclasses import dataclass

import shapely
from shapely.geometry.base import BaseGeometry

from civicgrid.demo import spatial
from civicgrid.demo.divisions import County, Town, Village, load_county
from civicgrid.demo.names import chinese_number
from civicgrid.demo.plan import REAL_CITY, SYNTHETIC_CITY, Plan, PNode, apportion
from civicgrid.territory.models import GridType, NodeKind

# Metres a community without coordinates is scattered around its town's point.
SPREAD_URBAN_M, SPREAD_RURAL_M, SPREAD_NEW_M = 700.0, 2500.0, 1200.0
GENERATED_TOWN_BASE = 900  # town codes 9xx do not exist in the NBS tables
DEDICATED_LABELS = ("科技产业园", "商务区", "商业街区", "创意园区", "工业园区")


@dataclass
class Layout:
    """What later phases need besides the plan: the stored shape of every grid."""

    grid_shapes: dict[int, BaseGeometry]  # id(PNode) -> geometry as stored

    def shape_of(self, grid: PNode) -> BaseGeometry:
        return self.grid_shapes[id(grid)]


def lay_out(plan: Plan, rng: random.Random) -> Layout:
    size = plan.size
    code, name = SYNTHETIC_CITY if size.synthetic_root else REAL_CITY
    root = plan.add(NodeKind.CITY, code, name, None)
    counties = [load_county(c) for c in size.counties]
    extra = _generated_per_county(counties, size.min_subdistricts)
    cells: list[tuple[PNode, BaseGeometry]] = []
    weights: list[float] = []
    for county, n_new in zip(counties, extra, strict=True):
        for community, cell, weight in _district(plan, root, county, n_new, rng):
            cells.append((community, cell))
            weights.append(weight)
    layout = Layout(grid_shapes={})
    for (community, cell), k in zip(cells, apportion(weights, size.grids - size.dedicated), strict=True):
        _grids(plan, layout, community, cell, k, rng)
    _unions(plan, cells)
    _dedicated_grids(plan, layout, cells, rng)
    return layout


def _generated_per_county(counties: list[County], minimum: int) -> list[int]:
    real = sum(len(c.towns) for c in counties)
    missing = max(0, minimum - real)
    return [
        missing // len(counties) + (1 if i < missing % len(counties) else 0) for i in range(len(counties))
    ]


def _generated_towns(county: County, n: int, rng: random.Random) -> list[Town]:
    towns = []
    for k in range(1, n + 1):
        code9 = f"{county.code}{GENERATED_TOWN_BASE + k:03d}"
        numeral = chinese_number(k)
        villages = [
            Village(f"{code9}{m:03d}", f"新城{numeral}街第{chinese_number(m)}社区", "111", None)
            for m in range(1, rng.randint(6, 10) + 1)
        ]
        point = spatial.sample_points(county.fence, 1, rng)[0]
        towns.append(Town(f"{code9}000", f"新城第{numeral}街道", point, villages))
    return towns


def _town_centre(town: Town, county: County, rng: random.Random) -> spatial.LonLat:
    """Where a subdistrict's cell is centred: among its communities where several are known."""
    known = [v.point for v in town.villages if v.point is not None]
    if len(known) >= 3 or (known and town.point is None):
        centre = shapely.MultiPoint(known).centroid
        if shapely.contains_xy(county.fence, centre.x, centre.y):
            return centre.x, centre.y
    if town.point is not None:
        return town.point
    return spatial.sample_points(county.fence, 1, rng)[0]


def _generated(town: Town) -> bool:
    return int(town.code[6:9]) > GENERATED_TOWN_BASE


def _community_points(
    town: Town, centre: spatial.LonLat, cell: BaseGeometry, rng: random.Random
) -> list[spatial.LonLat]:
    """One point per community inside the town's cell: the real one if it lies there."""
    area = spatial.interior(cell, 20.0)
    generated = _generated(town)
    points: list[spatial.LonLat] = []
    for village in town.villages:
        if village.point is not None and shapely.contains_xy(area, *village.point):
            points.append(village.point)
            continue
        spread = SPREAD_NEW_M if generated else SPREAD_RURAL_M if village.rural else SPREAD_URBAN_M
        points.append(spatial.point_near(centre, spread, area, rng))
    return spatial.distinct(points, area, rng)


def _district(
    plan: Plan, root: PNode, county: County, n_new: int, rng: random.Random
) -> list[tuple[PNode, BaseGeometry, float]]:
    """Subdistricts are the Voronoi cells of their towns' centres in the county; their
    communities the Voronoi cells of the communities' points within them."""
    lon, lat = county.point or (None, None)
    district = plan.add(NodeKind.DISTRICT, county.full_code, county.name, root, lon=lon, lat=lat)
    towns = county.towns + _generated_towns(county, n_new, rng)
    centres = spatial.distinct([_town_centre(t, county, rng) for t in towns], county.fence, rng)
    wanted = plan.size.towns
    out: list[tuple[PNode, BaseGeometry, float]] = []
    for town, centre, cell in zip(towns, centres, spatial.voronoi_cells(centres, county.fence), strict=True):
        if wanted is not None and town.code not in wanted:
            continue
        t_lon, t_lat = town.point or centre
        sub = plan.add(NodeKind.SUBDISTRICT, town.code, town.name, district, lon=t_lon, lat=t_lat)
        points = _community_points(town, centre, cell, rng)
        for village, (x, y), community_cell in zip(
            town.villages, points, spatial.voronoi_cells(points, cell), strict=True
        ):
            community = plan.add(NodeKind.COMMUNITY, village.code, village.name, sub, lon=x, lat=y)
            community.rural = village.rural
            out.append((community, community_cell, _grid_weight(village, _generated(town))))
    return out


def _grid_weight(village: Village, generated: bool) -> float:
    """Grids per community, relatively: city centres are split finer than villages."""
    if generated or village.urban_rural.startswith("11"):
        return 1.4
    return 0.7 if village.rural else 1.0


def _grids(
    plan: Plan, layout: Layout, community: PNode, cell: BaseGeometry, k: int, rng: random.Random
) -> None:
    for i, piece in enumerate(spatial.split(cell, k, rng), start=1):
        stored, geojson = spatial.snapped(piece)
        inner = stored.representative_point()
        grid = plan.add(
            NodeKind.GRID,
            f"{community.code}W{i:03d}",
            f"{community.name}第{chinese_number(i)}网格",
            community,
            grid_type=GridType.COMPREHENSIVE,
            geometry=geojson,
            lon=round(inner.x, 7),
            lat=round(inner.y, 7),
            rural=community.rural,
        )
        layout.grid_shapes[id(grid)] = stored


def _unions(plan: Plan, cells: list[tuple[PNode, BaseGeometry]]) -> None:
    """Communities keep their cell; every level above is the union of the cells below."""
    below: dict[int, list[BaseGeometry]] = {}
    for community, cell in cells:
        community.geometry = spatial.snapped(cell)[1]
        node: PNode | None = community.parent
        while node is not None:
            below.setdefault(id(node), []).append(cell)
            node = node.parent
    for node in plan.nodes:
        if node.kind in (NodeKind.SUBDISTRICT, NodeKind.DISTRICT, NodeKind.CITY) and id(node) in below:
            union = shapely.union_all(below[id(node)])
            node.geometry = spatial.snapped(union)[1]
            if node.lon is None:
                inner = union.representative_point()
                node.lon, node.lat = round(inner.x, 7), round(inner.y, 7)


def _dedicated_grids(
    plan: Plan, layout: Layout, cells: list[tuple[PNode, BaseGeometry]], rng: random.Random
) -> None:
    urban = [(c, cell) for c, cell in cells if not c.rural]
    chosen = rng.sample(urban, min(plan.size.dedicated, len(urban)))
    for community, cell in sorted(chosen, key=lambda pair: pair[0].code):
        centre = spatial.sample_points(spatial.interior(cell, 150.0), 1, rng)[0]
        area = spatial.box_around(centre, rng.uniform(120.0, 250.0), cell)
        stored, geojson = spatial.snapped(area)
        label = rng.choice(DEDICATED_LABELS)
        number = len(community.children) + 1
        grid = plan.add(
            NodeKind.GRID,
            f"{community.code}W{number:03d}",
            f"{community.name.removesuffix('社区')}{label}专属网格",
            community,
            grid_type=GridType.DEDICATED,
            geometry=geojson,
            lon=round(centre[0], 7),
            lat=round(centre[1], 7),
        )
        layout.grid_shapes[id(grid)] = stored
