"""Grid polygons from GeoJSON: checked as they will be stored, and where they would lie.

胜利门社区 (A1) gets a polygon holding its two grids (A1-1 west, A1-2 east, each about
950 m × 1,100 m); bob, its community worker, imports. Every refused file changes nothing.
"""

import json
from typing import Any

import pytest
import shapely
from shapely.geometry import shape

from civicgrid.conftest import City
from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.demo.divisions import DATA_DIR, load_county
from civicgrid.exchange.importers.territory import GeometryImporter
from civicgrid.exchange.models import ImportKind, ImportStatus
from civicgrid.exchange.readers import Row
from civicgrid.registry.tests.factories import db_state
from civicgrid.territory import services
from civicgrid.territory.geometry import declared_crs, wgs84_to_gcj02
from civicgrid.territory.models import GeometryVersion, Node
from civicgrid.territory.tests.conftest import RunImport
from civicgrid.territory.tests.shapes import square

pytestmark = pytest.mark.django_db

COLUMN = "geometry（范围）"
A1 = square(120.30, 31.57, 120.32, 31.58)
METRE_LON = 1 / 94_740  # degrees of longitude in a metre at 31.575°N
# A 2 mm triangle, and a 450 m sliver 4 mm wide: valid as drawn, nothing at 7 decimals.
TINY = {
    "type": "Polygon",
    "coordinates": [
        [
            [120.30500001, 31.57500001],
            [120.30500003, 31.57500001],
            [120.30500003, 31.57500003],
            [120.30500001, 31.57500001],
        ]
    ],
}
SLIVER = {
    "type": "Polygon",
    "coordinates": [[[120.301, 31.575], [120.309, 31.57500004], [120.309, 31.575], [120.301, 31.575]]],
}


def feature(code: str, geometry: dict[str, Any], **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"code": code, **properties}, "geometry": geometry}


def geojson(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


@pytest.fixture
def bounded(city: City) -> City:
    """A1 with its polygon: the grids' parent now has a boundary they must keep to."""
    services.node_update(actor=city.sysadmin, node=city.comm_a1, geometry=A1)
    return city


def geometries() -> dict[str, Any]:
    return dict(Node.objects.order_by("code").values_list("code", "geometry"))


def import_grids(city: City, run_import: RunImport, *features: dict[str, Any]) -> Any:
    before, version = geometries(), GeometryVersion.objects.get(pk=1).version
    job = run_import(city.bob, ImportKind.GEOMETRY, "grids.geojson", geojson(*features))
    if job.status == ImportStatus.FAILED:
        assert geometries() == before
        assert GeometryVersion.objects.get(pk=1).version == version
        assert not AuditLog.objects.filter(verb="exchange.import_completed").exists()
    return job


def reasons(job: Any) -> dict[int, str]:
    assert job.status == ImportStatus.FAILED, job.counts
    assert {e["column"] for e in job.errors} == {COLUMN}
    return {e["row"]: e["reason"] for e in job.errors}


# --- checked as stored: rounded to 7 decimals --------------------------------------------


@pytest.mark.parametrize("polygon", [TINY, SLIVER], ids=["tiny", "sliver"])
def test_a_polygon_that_rounds_to_nothing_is_refused_naming_the_feature(
    city: City, run_import: RunImport, polygon: dict[str, Any]
) -> None:
    job = import_grids(
        city,
        run_import,
        feature(city.grid_a1_2.code, square(120.31, 31.57, 120.32, 31.58)),
        feature(city.grid_a1_1.code, polygon),
    )
    assert reasons(job) == {2: "范围过小或无效（按 7 位小数取整后为空）"}


def test_a_polygon_under_a_square_metre_is_refused(city: City, run_import: RunImport) -> None:
    half_metre = square(120.305, 31.575, 120.305 + METRE_LON / 2, 31.575 + 0.5 / 111_195)
    job = import_grids(city, run_import, feature(city.grid_a1_1.code, half_metre))
    assert reasons(job)[1].startswith("范围过小或无效（按 7 位小数取整后面积约 0.2")
    assert reasons(job)[1].endswith("平方米，不足 1 平方米）")


@pytest.mark.parametrize("polygon", [TINY, SLIVER, {"type": "Polygon", "coordinates": []}])
def test_the_services_never_store_an_empty_polygon(city: City, polygon: dict[str, Any]) -> None:
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        services.node_update(actor=city.bob, node=city.grid_a1_1, geometry=polygon)
    assert list(refused.value.errors) == ["geometry"]
    with pytest.raises(ValidationError):
        services.node_create(
            actor=city.bob, kind="grid", name="新网格", parent=city.comm_a1, geometry=polygon
        )
    assert db_state() == before


# --- within the parent ---------------------------------------------------------------------


def test_a_grid_moved_far_outside_its_community_is_refused(bounded: City, run_import: RunImport) -> None:
    far = shapely.affinity.translate(shape(square(120.30, 31.57, 120.31, 31.58)), 0.3, 0.2)
    job = import_grids(bounded, run_import, feature(bounded.grid_a1_1.code, shapely.geometry.mapping(far)))
    reason = reasons(job)[1]
    assert reason.startswith(f"网格不在上级区域 {bounded.comm_a1.code}（胜利门社区）的范围内（相距约 ")
    assert reason.endswith(" 公里）")


def test_a_grid_may_cross_its_community_boundary_by_a_little(bounded: City, run_import: RunImport) -> None:
    # 15 m west of A1's edge: a third of this narrow grid, but within the 20 m allowed.
    narrow = square(120.30 - 15 * METRE_LON, 31.57, 120.30 + 30 * METRE_LON, 31.58)
    job = import_grids(bounded, run_import, feature(bounded.grid_a1_1.code, narrow))
    assert job.status == ImportStatus.DONE, job.errors


def test_a_grid_crossing_its_community_boundary_by_more_is_refused(
    bounded: City, run_import: RunImport
) -> None:
    narrow = square(120.30 - 40 * METRE_LON, 31.57, 120.30 + 30 * METRE_LON, 31.58)
    reason = reasons(import_grids(bounded, run_import, feature(bounded.grid_a1_1.code, narrow)))[1]
    assert reason.startswith("网格约 57%（")
    assert f"超出上级区域 {bounded.comm_a1.code}（胜利门社区）的范围" in reason


def test_a_community_polygon_must_still_hold_its_grids(bounded: City, run_import: RunImport) -> None:
    west_only = square(120.30, 31.57, 120.31, 31.58)
    job = import_grids(bounded, run_import, feature(bounded.comm_a1.code, west_only))
    reason = reasons(job)[1]
    assert reason.startswith(f"下级网格 {bounded.grid_a1_2.code}（胜利门二网格）约 100%（")
    assert "超出新范围" in reason


def test_a_community_and_its_grids_change_together(bounded: City, run_import: RunImport) -> None:
    job = import_grids(
        bounded,
        run_import,
        feature(bounded.comm_a1.code, square(120.30, 31.56, 120.32, 31.58)),
        feature(bounded.grid_a1_1.code, square(120.30, 31.56, 120.31, 31.58)),
        feature(bounded.grid_a1_2.code, square(120.31, 31.56, 120.32, 31.58)),
    )
    assert job.status == ImportStatus.DONE, job.errors


# --- sibling grids ---------------------------------------------------------------------------


def test_a_grid_enlarged_over_its_neighbour_is_refused(city: City, run_import: RunImport) -> None:
    big = square(120.30, 31.57, 120.315, 31.58)  # half of A1-2 as well
    reason = reasons(import_grids(city, run_import, feature(city.grid_a1_1.code, big)))[1]
    assert reason == (
        f"与综合网格 {city.grid_a1_2.code}（胜利门二网格）重叠约 526694 平方米（占较小者的 50%）："
        "同一上级区域下的综合网格不能重叠"
    )


def test_grids_of_one_file_may_not_overlap_each_other(city: City, run_import: RunImport) -> None:
    job = import_grids(
        city,
        run_import,
        feature(city.grid_a1_1.code, square(120.30, 31.57, 120.312, 31.575)),
        feature(city.grid_a1_2.code, square(120.308, 31.57, 120.32, 31.575)),
    )
    got = reasons(job)
    assert got[1].startswith(f"与综合网格 {city.grid_a1_2.code}（胜利门二网格）重叠约")
    assert got[1].endswith("（见第2个要素）")
    assert got[2].startswith(f"与综合网格 {city.grid_a1_1.code}（胜利门一网格）重叠约")
    assert got[2].endswith("（见第1个要素）")


def test_a_file_that_moves_the_shared_edge_is_checked_against_itself(
    city: City, run_import: RunImport
) -> None:
    job = import_grids(
        city,
        run_import,
        feature(city.grid_a1_1.code, square(120.30, 31.57, 120.315, 31.58)),
        feature(city.grid_a1_2.code, square(120.315, 31.57, 120.32, 31.58)),
    )
    assert job.status == ImportStatus.DONE, job.errors


def test_a_sliver_of_overlap_along_a_shared_edge_is_allowed(city: City, run_import: RunImport) -> None:
    one_metre_over = square(120.30, 31.57, 120.31 + METRE_LON, 31.58)
    job = import_grids(city, run_import, feature(city.grid_a1_1.code, one_metre_over))
    assert job.status == ImportStatus.DONE, job.errors


def test_grids_of_other_communities_and_dedicated_grids_may_overlap(
    city: City, run_import: RunImport
) -> None:
    park = services.node_create(
        actor=city.bob,
        kind="grid",
        name="科技园专属网格",
        parent=city.comm_a1,
        grid_type="dedicated",
        geometry=square(120.305, 31.572, 120.315, 31.578),  # over both comprehensive grids
    )
    job = import_grids(
        city,
        run_import,
        feature(park.code, square(120.304, 31.572, 120.316, 31.578)),
        feature(city.grid_a1_1.code, square(120.30, 31.57, 120.31, 31.585)),  # into 五爱 (A2)
    )
    assert job.status == ImportStatus.DONE, job.errors
    with pytest.raises(ValidationError) as refused:
        services.node_create(
            actor=city.bob,
            kind="grid",
            name="商务区专属网格",
            parent=city.comm_a1,
            grid_type="dedicated",
            geometry=square(120.31, 31.572, 120.318, 31.578),
        )
    assert refused.value.errors["geometry"][0].startswith(f"与专属网格 {park.code}（科技园专属网格）重叠约")


# --- GCJ-02 --------------------------------------------------------------------------------------


def gcj02(polygon: dict[str, Any]) -> dict[str, Any]:
    ring = [list(wgs84_to_gcj02(lon, lat)) for lon, lat in polygon["coordinates"][0]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_a_polygon_declared_gcj02_is_stored_in_wgs84(city: City, run_import: RunImport) -> None:
    wgs84 = square(120.301, 31.571, 120.309, 31.579)
    declared = gcj02(wgs84) | {"crs": {"type": "name", "properties": {"name": "GCJ-02"}}}

    job = import_grids(city, run_import, feature(city.grid_a1_1.code, declared))

    assert job.status == ImportStatus.DONE, job.errors
    assert job.counts == {"geometries": 1, "geometries_from_gcj02": 1}
    city.grid_a1_1.refresh_from_db()
    stored = shape(city.grid_a1_1.geometry)
    assert shapely.equals_exact(stored.normalize(), shape(wgs84).normalize(), tolerance=1e-6)


def test_the_district_fence_declared_gcj02_in_its_properties_is_converted(city: City) -> None:
    """The county boundaries of the shared data say "GCJ-02 (not WGS84)" in their properties;
    the reader passes a feature's (or its collection's) declaration on as ``crs``."""
    fence = json.loads((DATA_DIR / "fences" / "320213.geojson").read_text(encoding="utf-8"))
    assert fence["properties"]["coordinate_system"] == "GCJ-02 (not WGS84)"
    importer = GeometryImporter(city.sysadmin)
    row = Row(1, {"code": city.district.code, "geometry": fence["geometry"], "crs": declared_crs(fence)})

    assert importer.validate([row], lambda done: None) == []
    counts = importer.save()

    assert counts == {"geometries": 1, "geometries_from_gcj02": 1}
    city.district.refresh_from_db()
    stored, expected = shape(city.district.geometry), load_county("320213").fence
    assert stored.symmetric_difference(expected).area < expected.area * 1e-5  # 7 decimals
    assert stored.symmetric_difference(shape(fence["geometry"])).area > expected.area * 1e-2  # ~500 m


@pytest.mark.parametrize(
    ("declared", "reason"),
    [
        ("BD-09", "不支持百度坐标（BD-09），请转换为 WGS-84 或 GCJ-02 后再导入"),
        ("EPSG:3857", "坐标系 EPSG:3857 是以米为单位的投影坐标，请使用 WGS-84 经纬度"),
        ("北京54", "无法识别声明的坐标系“北京54”：请使用 WGS-84 经纬度，GCJ-02 坐标请声明为 GCJ-02"),
    ],
)
def test_other_declared_coordinate_systems_are_refused(
    city: City, run_import: RunImport, declared: str, reason: str
) -> None:
    polygon = square(120.301, 31.571, 120.309, 31.579) | {"crs": declared}
    assert reasons(import_grids(city, run_import, feature(city.grid_a1_1.code, polygon))) == {1: reason}


def test_declarations_are_read_from_the_feature_before_its_collection() -> None:
    collection = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:4326"}}}
    gcj_feature = {"type": "Feature", "properties": {"coordinate_system": "GCJ-02 (not WGS84)"}}
    plain = {"type": "Feature", "properties": {"code": "X"}}
    assert declared_crs(gcj_feature, collection) == "GCJ-02 (not WGS84)"
    assert declared_crs(plain, collection) == "EPSG:4326"
    assert declared_crs(plain, {"type": "FeatureCollection"}) == ""
