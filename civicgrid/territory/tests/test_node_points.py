"""A node's point lies in its area: within the polygon of its nearest ancestor that has one.

胜利门社区 (A1) has a polygon; its grid A1-1 has one too. bob, A1's community worker,
imports nodes and edits them; a refused file or edit changes nothing.
"""

from typing import Any

import pytest

from civicgrid.conftest import City
from civicgrid.core.errors import ValidationError
from civicgrid.exchange.models import ImportKind, ImportStatus
from civicgrid.exchange.tests.files import csv_bytes
from civicgrid.registry.tests.factories import db_state
from civicgrid.territory import services
from civicgrid.territory.models import Node, NodeKind
from civicgrid.territory.tests.conftest import RunImport
from civicgrid.territory.tests.shapes import lon_lat_metres_east, square

pytestmark = pytest.mark.django_db

HEADER = ["层级", "编码", "名称", "上级编码", "网格类型", "经度", "纬度", "地址"]


@pytest.fixture
def bounded(city: City) -> City:
    services.node_update(
        actor=city.sysadmin, node=city.comm_a1, geometry=square(120.30, 31.57, 120.32, 31.58)
    )
    return city


def test_nodes_placed_far_from_their_community_are_refused(bounded: City, run_import: RunImport) -> None:
    a1 = bounded.comm_a1.code
    rows = [
        HEADER,
        ["网格", "", "零点网格", a1, "", "0", "0", ""],
        ["网格", "", "北京网格", a1, "", "116.4", "39.9", ""],
        ["网格", f"{a1}W009", "经纬颠倒网格", a1, "", "", "", ""],
        ["楼栋", "", "颠倒楼", f"{a1}W009", "", "31.575", "120.305", ""],  # caught by the ranges
        ["楼栋", "", "远楼", f"{a1}W009", "", "120.35", "31.575", ""],  # anchored on A1, through W009
    ]
    before = db_state()

    job = run_import(bounded.bob, ImportKind.NODES, "nodes.csv", csv_bytes(rows))

    assert job.status == ImportStatus.FAILED
    got = {(e["row"], e["column"]): e["reason"] for e in job.errors}
    where = f"不在上级区域 {a1}（胜利门社区）的范围内（相距约 "
    assert got[(2, "经度")].startswith(f"坐标（0, 0）{where}")
    assert got[(3, "经度")].startswith(f"坐标（116.4, 39.9）{where}")
    assert got[(3, "经度")].endswith("公里），请检查经纬度是否填反、是否为 WGS-84 坐标")
    assert got[(5, "纬度")] == "纬度应在 -90 到 90 之间"
    assert got[(6, "经度")].startswith(f"坐标（120.35, 31.575）{where}2.8 公里）")
    assert set(got) == {(2, "经度"), (3, "经度"), (5, "纬度"), (6, "经度")}
    assert db_state() == before


def test_points_inside_or_just_outside_their_area_import(bounded: City, run_import: RunImport) -> None:
    a1, grid = bounded.comm_a1.code, bounded.grid_a1_1.code
    near_lon, near_lat = lon_lat_metres_east(120.32, 31.575, 30)  # 30 m east of A1
    rows = [
        HEADER,
        ["网格", "", "胜利门三网格", a1, "", str(near_lon), str(near_lat), ""],
        ["楼栋", "", "胜利门2号楼", grid, "", "120.306", "31.576", ""],  # within grid A1-1
        ["楼栋", "", "通江路楼", bounded.grid_b1_1.code, "", "0", "0", ""],  # B1-1 has a polygon
    ]
    job = run_import(bounded.sysadmin, ImportKind.NODES, "nodes.csv", csv_bytes(rows))
    assert job.status == ImportStatus.FAILED
    assert [(e["row"], e["column"]) for e in job.errors] == [(4, "经度")]

    job = run_import(bounded.sysadmin, ImportKind.NODES, "nodes.csv", csv_bytes(rows[:3]))
    assert job.status == ImportStatus.DONE, job.errors
    assert Node.objects.get(name="胜利门2号楼").parent == bounded.grid_a1_1


def test_without_any_polygon_above_a_point_is_not_checked(city: City, run_import: RunImport) -> None:
    rows = [HEADER, ["网格", "", "新网格", city.comm_a2.code, "", "120.31", "31.585", ""]]
    job = run_import(city.sysadmin, ImportKind.NODES, "nodes.csv", csv_bytes(rows))
    assert job.status == ImportStatus.DONE, job.errors


@pytest.mark.parametrize(
    "change",
    [
        lambda c: services.node_create(
            actor=c.bob, kind=NodeKind.BUILDING, name="远楼", parent=c.grid_a1_1, lon=116.4, lat=39.9
        ),
        lambda c: services.node_update(actor=c.bob, node=c.building_a1, lon=120.35, lat=31.575),
        lambda c: services.node_create(
            actor=c.bob, kind=NodeKind.GRID, name="零点网格", parent=c.comm_a1, lon=0, lat=0
        ),
    ],
    ids=["building-created-far-from-its-grid", "building-moved-out-of-its-grid", "grid-at-zero"],
)
def test_the_services_refuse_a_point_outside_its_area(bounded: City, change: Any) -> None:
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        change(bounded)
    assert list(refused.value.errors) == ["lon"]
    assert "的范围内（相距约 " in refused.value.message
    assert db_state() == before


def test_a_grid_is_not_moved_under_a_community_whose_polygon_does_not_hold_it(city: City) -> None:
    far = {
        "type": "Polygon",
        "coordinates": [[[120.40, 31.60], [120.41, 31.60], [120.41, 31.61], [120.40, 31.60]]],
    }
    Node.objects.filter(pk=city.comm_a2.pk).update(geometry=far)
    city.comm_a2.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        services.node_move(actor=city.sysadmin, node=city.grid_a1_1, new_parent=city.comm_a2)
    assert "geometry" in excinfo.value.errors
    city.grid_a1_1.refresh_from_db()
    assert city.grid_a1_1.parent_id == city.comm_a1.pk
