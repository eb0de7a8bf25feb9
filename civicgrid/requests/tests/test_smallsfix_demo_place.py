"""The demo requests' addresses (shown on the grid worker's home page, 待现场核查) name a
compound once: the building's own name already starts with it ("瑞景公寓1号楼")."""

from typing import Any

import pytest
from shapely.geometry import shape

from civicgrid.conftest import City
from civicgrid.requests.demo_history.world import Grid, _add_buildings
from civicgrid.territory import services as territory
from civicgrid.territory.models import Node, NodeKind

pytestmark = pytest.mark.django_db


def test_a_demo_building_address_names_its_compound_once(city: City) -> None:
    def node(kind: str, name: str, parent: Node, **kw: Any) -> Node:
        return territory.node_create(actor=city.sysadmin, kind=kind, name=name, parent=parent, **kw)

    compound = node(NodeKind.COMPOUND, "瑞景公寓", city.grid_a1_1, lon=120.306, lat=31.576)
    node(NodeKind.BUILDING, "瑞景公寓1号楼", compound, lon=120.306, lat=31.576)
    grid = Grid(city.grid_a1_1, shape(city.grid_a1_1.geometry), "胜利门社区", "崇安寺街道")
    _add_buildings({city.grid_a1_1.path: grid})
    addresses = {b.node.name: b.address for b in grid.buildings}
    assert addresses["瑞景公寓1号楼"] == "胜利门社区瑞景公寓1号楼"
    # a building outside any compound: its community, then its name (no prefix to drop)
    assert addresses["胜利门1号楼"] == "胜利门社区胜利门1号楼"
