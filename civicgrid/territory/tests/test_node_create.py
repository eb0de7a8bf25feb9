"""node_create: where each kind may stand, statistical codes above, generated codes below."""

from typing import Any

import pytest

from civicgrid.conftest import City
from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.registry.tests.factories import CHINESE, db_state
from civicgrid.territory import services
from civicgrid.territory.constants import Verb
from civicgrid.territory.models import GeometryVersion, Node, NodeKind
from civicgrid.territory.tests.shapes import square


def create(city: City, **kw: Any) -> Node:
    return services.node_create(actor=city.sysadmin, **kw)


@pytest.mark.parametrize(
    ("kind", "parent", "code"),
    [
        (NodeKind.GRID, "district", ""),  # a grid under a district
        (NodeKind.GRID, "city", ""),
        (NodeKind.COMMUNITY, "district", "320213001009"),  # a community must stand under a subdistrict
        (NodeKind.SUBDISTRICT, None, "320213009000"),  # no parent
        (NodeKind.ENTRANCE, "grid_a1_1", ""),  # an entrance only under a building
        (NodeKind.BUILDING, "building_a1", ""),
        (NodeKind.CITY, "district", "320300000000"),
    ],
)
def test_a_kind_in_the_wrong_place_is_refused_naming_the_parent(
    city: City, kind: str, parent: str | None, code: str
) -> None:
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        create(city, kind=kind, name="新节点", parent=getattr(city, parent) if parent else None, code=code)
    assert list(refused.value.errors) == ["parent"]
    assert CHINESE.search(refused.value.errors["parent"][0])
    assert "的上级只能是" in refused.value.message
    assert db_state() == before


def test_unknown_kind_is_refused(city: City) -> None:
    with pytest.raises(ValidationError) as refused:
        create(city, kind="village", name="某村", parent=city.sub_a)
    assert "kind" in refused.value.errors


@pytest.mark.parametrize(
    ("kind", "parent", "code", "field"),
    [
        (NodeKind.COMMUNITY, "sub_a", "", "code"),  # statistical levels need their 12-digit code
        (NodeKind.COMMUNITY, "sub_a", "32021300100", "code"),  # 11 digits
        (NodeKind.COMMUNITY, "sub_a", "32021300100A", "code"),
        (NodeKind.COMMUNITY, "sub_a", "320213001001", "code"),  # taken by 胜利门社区
        (NodeKind.SUBDISTRICT, "district", "", "code"),
        (NodeKind.GRID, "comm_a1", "W-1", "code"),  # generated codes: digits and capitals only
        (NodeKind.BUILDING, "grid_a1_1", "", "name"),  # empty name (see test body)
        (NodeKind.BUILDING, "grid_a1_1", "", "grid_type"),  # a grid type on a building
    ],
)
def test_bad_fields_are_named(city: City, kind: str, parent: str, code: str, field: str) -> None:
    kw: dict[str, Any] = {"kind": kind, "name": "新节点", "parent": getattr(city, parent), "code": code}
    if field == "name":
        kw["name"] = "  "
    if field == "grid_type":
        kw["grid_type"] = "comprehensive"
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        create(city, **kw)
    assert field in refused.value.errors, refused.value.errors
    assert CHINESE.search(refused.value.message)
    assert db_state() == before


def test_statistical_codes_are_kept_and_paths_follow_the_tree(city: City) -> None:
    assert city.comm_a1.code == "320213001001"
    assert city.comm_a1.path == f"{city.city.pk}/{city.district.pk}/{city.sub_a.pk}/{city.comm_a1.pk}/"
    assert city.comm_a1.depth == 3
    node = create(city, kind=NodeKind.COMMUNITY, name="新社区", parent=city.sub_a, code="320213001003")
    assert node.path == f"{city.sub_a.path}{node.pk}/" and node.depth == 3
    row = AuditLog.objects.get(verb=Verb.NODE_CREATED, target_id=str(node.pk))
    assert row.after is not None and row.after["code"] == "320213001003"
    assert row.node_path == node.path


def test_codes_below_the_community_are_generated_and_stable(city: City) -> None:
    # The fixture gave grids W001/W002 under A1 and a building B001 under grid A1-1.
    assert city.grid_a1_1.code == "320213001001W001"
    assert city.grid_a1_2.code == "320213001001W002"
    assert city.building_a1.code == "320213001001W001B001"
    grid = create(city, kind=NodeKind.GRID, name="胜利门三网格", parent=city.comm_a1)
    assert grid.code == "320213001001W003"
    assert grid.grid_type == "comprehensive"
    building = create(city, kind=NodeKind.BUILDING, name="2号楼", parent=city.grid_a1_1)
    assert building.code == "320213001001W001B002"
    entrance = create(city, kind=NodeKind.ENTRANCE, name="1单元", parent=building)
    assert entrance.code == "320213001001W001B002U01"
    # A code once given does not change when the node moves or is renamed.
    services.node_move(actor=city.sysadmin, node=city.grid_a1_1, new_parent=city.comm_a2)
    services.node_update(actor=city.sysadmin, node=city.grid_a1_1, name="改名后的网格")
    assert Node.objects.get(pk=city.grid_a1_1.pk).code == "320213001001W001"
    assert Node.objects.get(pk=building.pk).code == "320213001001W001B002"
    # ...and the next grid of A1 does not reuse it (the code is still taken).
    assert (
        create(city, kind=NodeKind.GRID, name="胜利门四网格", parent=city.comm_a1).code == "320213001001W004"
    )


def test_a_grid_may_carry_a_polygon_and_bumps_the_geometry_version(city: City) -> None:
    before = GeometryVersion.objects.get(pk=1).version
    grid = create(
        city,
        kind=NodeKind.GRID,
        name="五爱二网格",
        parent=city.comm_a2,
        grid_type="dedicated",
        geometry=square(120.30, 31.59, 120.31, 31.60),
    )
    assert grid.geometry is not None and grid.geometry["type"] == "Polygon"
    assert GeometryVersion.objects.get(pk=1).version == before + 1


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Point", "coordinates": [120.3, 31.5]},
        {
            "type": "Polygon",
            "coordinates": [[[120.3, 31.5], [120.31, 31.51], [120.3, 31.51], [120.31, 31.5], [120.3, 31.5]]],
        },
        {"type": "Polygon", "coordinates": [[[31.5, 120.3], [31.6, 120.3], [31.6, 120.4], [31.5, 120.3]]]},
        {"type": "Polygon", "coordinates": "nonsense"},
    ],
    ids=["point", "bow-tie", "lat-lon-swapped", "garbage"],
)
def test_bad_polygons_are_refused_on_the_geometry_field(city: City, geometry: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        create(city, kind=NodeKind.GRID, name="坏网格", parent=city.comm_a2, geometry=geometry)
    assert list(refused.value.errors) == ["geometry"]


def test_bad_coordinates_are_refused(city: City) -> None:
    with pytest.raises(ValidationError) as refused:
        create(city, kind=NodeKind.BUILDING, name="楼", parent=city.grid_a1_1, lon=200.0, lat=31.5)
    assert "lon" in refused.value.errors
