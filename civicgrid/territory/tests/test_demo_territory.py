"""The demo city's territory passes the geometry checks; the tester's files against it do not.

The demo layout (size small, seed 1: real Liangxi communities split into grids, two
dedicated grids, buildings placed inside the grids) is written through ``node_create``, so
every polygon and point meets the same checks as an edit or an import would. The files an
exploratory tester built against this layout are then refused, each naming the feature.
"""

import json
from typing import Any

import pytest
import shapely
from shapely.geometry import shape

from civicgrid.accounts.models import AdminRole, User
from civicgrid.conftest import make_user
from civicgrid.demo.builder import rng_for
from civicgrid.demo.buildings import place_buildings
from civicgrid.demo.layout import lay_out
from civicgrid.demo.plan import SIZES, Plan, PNode
from civicgrid.exchange.models import ImportKind, ImportStatus
from civicgrid.exchange.tests.files import csv_bytes
from civicgrid.territory import services
from civicgrid.territory.models import GridType, Node, NodeKind
from civicgrid.territory.tests.conftest import RunImport

pytestmark = pytest.mark.django_db

TREE_KINDS = (
    NodeKind.CITY,
    NodeKind.DISTRICT,
    NodeKind.SUBDISTRICT,
    NodeKind.COMMUNITY,
    NodeKind.GRID,
    NodeKind.COMPOUND,
    NodeKind.BUILDING,
)
COMMUNITY = "320213001001"  # 胜利门社区 with grids W001, W002, W003
# Grid W001 of this layout, as the tester's files have it.
W1 = [
    [120.2930958, 31.5858744],
    [120.2970815, 31.5841305],
    [120.2969428, 31.5823571],
    [120.2920233, 31.5820469],
    [120.2930958, 31.5858744],
]


@pytest.fixture
def demo(db: Any) -> tuple[User, Plan]:
    sysadmin = make_user("sysadmin", "系统管理员", AdminRole.SYSTEM)
    plan = Plan(SIZES["small"], 1)
    layout = lay_out(plan, rng_for(1, "layout"))
    place_buildings(plan, layout, rng_for(1, "buildings"))
    written: dict[int, Node] = {}
    for node in plan.nodes:
        if node.kind in TREE_KINDS:
            written[id(node)] = _create(sysadmin, node, written)
    return sysadmin, plan


def _create(actor: User, node: PNode, written: dict[int, Node]) -> Node:
    return services.node_create(
        actor=actor,
        kind=node.kind,
        name=node.name,
        parent=written[id(node.parent)] if node.parent else None,
        code=node.code,
        grid_type=node.grid_type,
        geometry=node.geometry,
        lon=node.lon,
        lat=node.lat,
    )


def feature(code: str, geometry: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"code": code}, "geometry": geometry}


def polygon(ring: list[list[float]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [ring]}


def geojson(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def test_the_demo_territory_passes_the_checks_and_imports_again(
    demo: tuple[User, Plan], run_import: RunImport
) -> None:
    sysadmin, _ = demo
    assert Node.objects.filter(kind=NodeKind.GRID, grid_type=GridType.DEDICATED).count() == 2
    shapes = Node.objects.exclude(geometry=None).order_by("-depth", "code")
    features = [feature(n.code, n.geometry) for n in shapes if n.geometry is not None]
    assert len(features) == 1 + 1 + 4 + 34 + 80

    job = run_import(sysadmin, ImportKind.GEOMETRY, "demo.geojson", geojson(*features))

    assert job.status == ImportStatus.DONE, job.errors[:5]
    assert job.counts == {"geometries": len(features)}


TESTERS_FILES = {
    "geo_tiny": (
        [[120.29300001, 31.58500001], [120.29300003, 31.58500001], [120.29300003, 31.58500003]],
        "范围过小或无效（按 7 位小数取整后为空）",
    ),
    "geo_sliver": (
        [[120.2930, 31.5850], [120.2970, 31.58500004], [120.2970, 31.5850]],
        "范围过小或无效（按 7 位小数取整后为空）",
    ),
    "geo_overlap_neighbour": (
        [[120.2874, 31.5776], [120.2971, 31.5776], [120.2971, 31.5876], [120.2874, 31.5876]],
        f"与综合网格 {COMMUNITY}W002（胜利门社区第二网格）重叠约",
    ),
    "geo_outside_parent": (
        [[x + 0.3, y + 0.2] for x, y in W1[:-1]],
        f"网格不在上级区域 {COMMUNITY}（胜利门社区）的范围内（相距约 3",
    ),
}


def test_the_testers_geojson_files_are_refused(demo: tuple[User, Plan], run_import: RunImport) -> None:
    sysadmin, _ = demo
    before = Node.objects.get(code=f"{COMMUNITY}W001").geometry
    assert shape(before).equals(shapely.Polygon(W1))
    for name, (ring, reason) in TESTERS_FILES.items():
        data = geojson(feature(f"{COMMUNITY}W001", polygon([*ring, ring[0]])))

        job = run_import(sysadmin, ImportKind.GEOMETRY, f"{name}.geojson", data)

        assert job.status == ImportStatus.FAILED, name
        assert any(e["row"] == 1 and e["reason"].startswith(reason) for e in job.errors), job.errors
        assert Node.objects.get(code=f"{COMMUNITY}W001").geometry == before


def test_nodes_far_from_their_community_are_refused_and_real_buildings_import(
    demo: tuple[User, Plan], run_import: RunImport
) -> None:
    sysadmin, plan = demo
    header = ["层级", "名称", "上级编码", "经度", "纬度"]
    far: list[list[Any]] = [
        header,
        ["网格", "零点网格", COMMUNITY, 0, 0],
        ["网格", "北京网格", COMMUNITY, 116.4, 39.9],
    ]
    job = run_import(sysadmin, ImportKind.NODES, "nodes_far_point.csv", csv_bytes(far))
    assert job.status == ImportStatus.FAILED
    assert {(e["row"], e["column"]) for e in job.errors} == {(2, "经度"), (3, "经度")}

    # One more building beside each demo building, under the same grid or compound.
    rows: list[list[Any]] = [header] + [
        ["楼栋", f"{b.name}附楼", b.parent.code, b.lon, b.lat]
        for b in plan.of_kind(NodeKind.BUILDING)
        if b.parent is not None
    ]
    job = run_import(sysadmin, ImportKind.NODES, "buildings.csv", csv_bytes(rows))
    assert job.status == ImportStatus.DONE, job.errors[:5]
    assert job.counts == {"nodes": len(rows) - 1}
