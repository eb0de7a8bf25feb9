"""What stands in each grid: compounds of apartment buildings with their entrances in
towns, clusters of self-built houses in villages, an office building or two in a
dedicated grid. Each grid gets as many dwellings as its share of the residents needs."""

import math
import random

from shapely.geometry.base import BaseGeometry

from civicgrid.demo import spatial
from civicgrid.demo.layout import Layout
from civicgrid.demo.names import Picker, chinese_number, compound_name, road_name
from civicgrid.demo.plan import Plan, PNode, apportion
from civicgrid.territory.models import GridType, NodeKind

PEOPLE_PER_DWELLING = 2.6  # about the mean household; whole buildings leave some vacant
CITY_FLOORS: Picker[int] = Picker([6, 7, 11, 18, 26, 33], [40, 15, 15, 15, 10, 5])
TOWN_FLOORS: Picker[int] = Picker([3, 4, 5, 6, 7], [15, 25, 25, 25, 10])
HOUSES_PER_HAMLET = 25


def place_buildings(plan: Plan, layout: Layout, rng: random.Random) -> None:
    grids = plan.comprehensive_grids()
    weights = [(0.85 if g.rural else 1.0) * rng.lognormvariate(0.0, 0.3) for g in grids]
    used_names: dict[str, set[str]] = {}
    for grid, target in zip(grids, apportion(weights, plan.size.residents, minimum=10), strict=True):
        grid.target = target
        capacity = math.ceil(target / PEOPLE_PER_DWELLING) + 1
        area = spatial.interior(layout.shape_of(grid))
        if grid.rural:
            _village_houses(plan, grid, area, capacity, rng)
        else:
            district = grid.ancestor(NodeKind.DISTRICT)
            names = used_names.setdefault(district.code, set())
            _compounds(plan, grid, area, capacity, names, rng)
    for grid in plan.of_kind(NodeKind.GRID):
        if grid.grid_type == GridType.DEDICATED:
            _office_buildings(plan, grid, spatial.interior(layout.shape_of(grid)), rng)


def _compounds(
    plan: Plan, grid: PNode, area: BaseGeometry, capacity: int, names: set[str], rng: random.Random
) -> None:
    district = grid.ancestor(NodeKind.DISTRICT)
    town_like = not grid.ancestor(NodeKind.SUBDISTRICT).name.endswith("街道")
    floors_picker = TOWN_FLOORS if town_like else CITY_FLOORS
    left, number = capacity, 0
    while left > 0:
        number += 1
        x, y = spatial.sample_points(area, 1, rng)[0]
        address = f"{road_name(rng)}{rng.randint(1, 399)}号"
        compound = plan.add(
            NodeKind.COMPOUND,
            f"{grid.code}X{number:03d}",
            compound_name(rng, names),
            grid,
            lon=round(x, 7),
            lat=round(y, 7),
            address=f"{district.name}{address}",
        )
        for b in range(1, rng.randint(2, 8) + 1):
            if left <= 0:
                break
            left -= _apartment_building(plan, compound, b, area, floors_picker, rng, left)


def _apartment_building(
    plan: Plan,
    compound: PNode,
    number: int,
    area: BaseGeometry,
    floors_picker: Picker[int],
    rng: random.Random,
    left: int,
) -> int:
    entrances = rng.choice((1, 2, 2, 3, 3, 4))
    per_floor = 2
    floors = max(2, min(floors_picker.pick(rng), math.ceil(left / (entrances * per_floor))))
    assert compound.lon is not None and compound.lat is not None
    x, y = spatial.point_near((compound.lon, compound.lat), 60.0, area, rng)
    building = plan.add(
        NodeKind.BUILDING,
        f"{compound.code}B{number:03d}",
        f"{compound.name}{number}号楼",
        compound,
        lon=round(x, 7),
        lat=round(y, 7),
        address=f"{compound.address}{compound.name}{number}号楼",
        floors=floors,
        per_floor=per_floor,
    )
    for e in range(1, entrances + 1):
        plan.add(NodeKind.ENTRANCE, f"{building.code}U{e:02d}", f"{e}单元", building)
    return entrances * floors * per_floor


def _village_houses(plan: Plan, grid: PNode, area: BaseGeometry, houses: int, rng: random.Random) -> None:
    """Self-built houses in hamlets (村民小组); each house is one dwelling."""
    village = grid.parent
    assert village is not None
    hamlets = spatial.sample_points(area, max(1, houses // HOUSES_PER_HAMLET), rng)
    base = village.name.removesuffix("村").removesuffix("社区")
    first_group = (grid.sort_order - 1) * len(hamlets)
    town = village.parent.name if village.parent else ""
    district = grid.ancestor(NodeKind.DISTRICT).name
    for i in range(houses):
        h = i % len(hamlets)
        x, y = spatial.point_near(hamlets[h], 120.0, area, rng)
        name = f"{base}{chinese_number(first_group + h + 1)}组{i // len(hamlets) + 1}号"
        plan.add(
            NodeKind.BUILDING,
            f"{grid.code}B{i + 1:03d}",
            name,
            grid,
            lon=round(x, 7),
            lat=round(y, 7),
            address=f"{district}{town}{name}",
            rural=True,
        )


def _office_buildings(plan: Plan, grid: PNode, area: BaseGeometry, rng: random.Random) -> None:
    label = grid.name.removesuffix("专属网格")
    for number in range(1, rng.randint(1, 3) + 1):
        x, y = spatial.sample_points(area, 1, rng)[0]
        plan.add(
            NodeKind.BUILDING,
            f"{grid.code}B{number:03d}",
            f"{label}{number}号楼",
            grid,
            lon=round(x, 7),
            lat=round(y, 7),
            address=f"{grid.ancestor(NodeKind.DISTRICT).name}{label}{number}号楼",
        )
