"""The locator: which grid, community, subdistrict and district contain a point.

Tested through GET /api/v1/territory/locate, as other systems (the hotline, the
mini-program) call it, and on an index built without the database.
"""

import json
from collections.abc import Iterator
from typing import Any

import pytest
import shapely
from django.test import Client, override_settings

from civicgrid.conftest import City
from civicgrid.registry.tests.factories import CHINESE
from civicgrid.territory import services
from civicgrid.territory.geometry import gcj02_to_wgs84, wgs84_to_gcj02
from civicgrid.territory.locator import Location, Place, index_from, locator
from civicgrid.territory.tests.shapes import lon_lat_metres_east, square

LOCATE = "/api/v1/territory/locate"


@pytest.fixture(autouse=True)
def fresh_locator() -> Iterator[None]:
    """Each test sees the grids of its own database, checked on every lookup."""
    locator.invalidate()
    with override_settings(LOCATOR_CHECK_SECONDS=0):
        yield
    locator.invalidate()


@pytest.fixture
def api(city: City, client: Client) -> Client:
    client.force_login(city.olivia)  # the district's hotline operator
    return client


def locate(api: Client, lon: float, lat: float, **extra: Any) -> Any:
    return api.get(LOCATE, {"lon": lon, "lat": lat, **extra})


GRIDS = {
    # grid: (a point inside it, its community, its subdistrict)
    "grid_a1_1": ((120.305, 31.575), "comm_a1", "sub_a"),
    "grid_a1_2": ((120.315, 31.575), "comm_a1", "sub_a"),
    "grid_a2_1": ((120.31, 31.585), "comm_a2", "sub_a"),
    "grid_b1_1": ((120.33, 31.58), "comm_b1", "sub_b"),
}


@pytest.mark.parametrize("grid", GRIDS)
def test_a_point_inside_each_grid_maps_to_its_grid_and_levels(city: City, api: Client, grid: str) -> None:
    (lon, lat), community, subdistrict = GRIDS[grid]
    response = locate(api, lon, lat)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["match"] == "inside" and body["distance_m"] == 0
    assert body["grid"]["id"] == getattr(city, grid).pk
    assert body["grid"]["code"] == getattr(city, grid).code
    assert body["community"]["id"] == getattr(city, community).pk
    assert body["subdistrict"]["id"] == getattr(city, subdistrict).pk
    assert body["district"]["id"] == city.district.pk
    assert body["city"]["name"] == "无锡市"


@pytest.mark.parametrize(
    ("lon", "lat", "grid"),
    [
        (120.3001, 31.5701, "grid_a1_1"),  # near a corner, in a raster cell on the edge
        (120.3099, 31.5799, "grid_a1_1"),
        (120.3101, 31.5701, "grid_a1_2"),
        (120.3399, 31.5899, "grid_b1_1"),
    ],
)
def test_points_near_shared_edges_map_to_the_right_grid(
    city: City, api: Client, lon: float, lat: float, grid: str
) -> None:
    body = locate(api, lon, lat).json()
    assert body["match"] == "inside" and body["grid"]["id"] == getattr(city, grid).pk


@pytest.mark.parametrize(
    ("grid", "lon", "lat", "metres"),
    [
        ("grid_a1_1", 120.30, 31.575, -100),  # 100 m west of the whole territory's west edge
        ("grid_b1_1", 120.34, 31.58, 150),  # 150 m east
        ("grid_a1_1", 120.30, 31.5725, -30),
    ],
)
def test_a_point_just_outside_gets_the_nearest_grid(
    city: City, api: Client, grid: str, lon: float, lat: float, metres: float
) -> None:
    x, y = lon_lat_metres_east(lon, lat, metres)
    response = locate(api, x, y)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["match"] == "nearest"
    assert body["grid"]["id"] == getattr(city, grid).pk
    assert body["distance_m"] == pytest.approx(abs(metres), abs=2)


def test_a_point_just_south_gets_the_nearest_grid(city: City, api: Client) -> None:
    body = locate(api, 120.315, 31.57 - 100 / 111_195).json()
    assert body["match"] == "nearest" and body["grid"]["id"] == city.grid_a1_2.pk
    assert body["distance_m"] == pytest.approx(100, abs=2)


def test_the_nearest_distance_is_configurable(city: City, api: Client) -> None:
    x, y = lon_lat_metres_east(120.34, 31.58, 300)
    assert locate(api, x, y).status_code == 404  # default 200 m
    body = locate(api, x, y, max_distance_m=500).json()
    assert body["match"] == "nearest" and body["grid"]["id"] == city.grid_b1_1.pk
    with override_settings(LOCATOR_NEAREST_METRES=400):
        assert locate(api, x, y).json()["grid"]["id"] == city.grid_b1_1.pk
    assert locate(api, x, y, max_distance_m=9999).status_code == 422


@pytest.mark.parametrize(("lon", "lat"), [(116.40, 39.90), (120.40, 31.58), (0.0, 0.0)])
def test_a_point_far_away_is_outside_the_territory(city: City, api: Client, lon: float, lat: float) -> None:
    response = locate(api, lon, lat)
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "outside_territory" and CHINESE.search(body["message"])


@pytest.mark.parametrize("grid", GRIDS)
def test_gcj02_points_are_converted(city: City, api: Client, grid: str) -> None:
    (lon, lat), _, _ = GRIDS[grid]
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert abs(glon - lon) > 0.003  # the offset is several hundred metres here
    body = locate(api, glon, glat, crs="gcj02").json()
    assert body["match"] == "inside" and body["grid"]["id"] == getattr(city, grid).pk


def test_the_locator_sees_a_changed_geometry(city: City, api: Client) -> None:
    lon, lat = 120.315, 31.565  # 555 m south of grid A1-2
    assert locate(api, lon, lat).status_code == 404
    services.node_update(actor=city.bob, node=city.grid_a1_2, geometry=square(120.31, 31.56, 120.32, 31.58))
    body = locate(api, lon, lat).json()
    assert body["match"] == "inside" and body["grid"]["id"] == city.grid_a1_2.pk
    # ...and a deactivated grid is gone from it.
    services.node_deactivate(actor=city.bob, node=city.grid_a1_2)
    assert locate(api, lon, lat).status_code == 404


def test_the_locator_sees_a_moved_grid(city: City, api: Client) -> None:
    (lon, lat), _, _ = GRIDS["grid_a1_1"]
    assert locate(api, lon, lat).json()["community"]["id"] == city.comm_a1.pk
    services.node_move(actor=city.sysadmin, node=city.grid_a1_1, new_parent=city.comm_a2)
    assert locate(api, lon, lat).json()["community"]["id"] == city.comm_a2.pk


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lon": 120.3, "lat": 999}, "lat"),
        ({"lon": -181, "lat": 31.5}, "lon"),
        ({"lon": 120.3, "lat": 31.5, "crs": "xyz"}, "crs"),
        ({"lat": 31.5}, "lon"),
        ({"lon": "东经", "lat": 31.5}, "lon"),
        ({"lon": 120.3, "lat": "nan"}, "lat"),
    ],
)
def test_bad_input_gets_422_naming_the_field_in_chinese(
    city: City, api: Client, params: dict[str, Any], field: str
) -> None:
    response = api.get(LOCATE, params)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["detail"], body
    assert all(CHINESE.search(reason) for reason in body["detail"][field]), body
    assert CHINESE.search(body["message"])


def test_locate_needs_a_signed_in_caller(city: City, client: Client) -> None:
    assert client.get(LOCATE, {"lon": "120.305", "lat": "31.575"}).status_code == 401


@pytest.mark.parametrize(
    ("lon", "lat"), [(120.305, 31.575), (116.397, 39.909), (87.6, 43.8), (121.47, 31.23), (113.26, 23.13)]
)
def test_gcj02_round_trip_is_within_a_micro_degree(lon: float, lat: float) -> None:
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert back[0] == pytest.approx(lon, abs=1e-6)
    assert back[1] == pytest.approx(lat, abs=1e-6)


def test_points_outside_china_are_not_shifted() -> None:
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)


def place(pk: int) -> Location:
    return Location(levels={"grid": Place(pk, f"G{pk}", f"网格{pk}")}, match="inside")


def test_nearest_is_measured_in_metres_not_degrees() -> None:
    """At 60°N a degree of longitude is half a degree of latitude: compare in metres."""
    lat = 60.0
    east = shapely.box(10.0, 59.0, 10.9, 61.0)  # its east edge is 0.001° (about 56 m) west of the point
    north = shapely.box(10.0, 60.0009, 11.9, 61.0)  # 0.0009° (about 100 m) north of the point
    index = index_from([(east, place(1)), (north, place(2))])
    point_lon = 10.901
    found = index.nearest(point_lon, lat, 500)
    assert found is not None
    assert found.levels["grid"].id == 1
    assert found.distance_m == pytest.approx(55.8, abs=1)


def test_comprehensive_grids_win_where_a_dedicated_grid_overlaps() -> None:
    comprehensive = shapely.box(0.0, 0.0, 1.0, 1.0)
    dedicated = shapely.box(0.4, 0.4, 0.6, 0.6)
    index = index_from([(comprehensive, place(1)), (dedicated, place(2))])
    found = index.lookup(0.5, 0.5)
    assert found is not None and found.levels["grid"].id == 1


def test_an_index_without_grids_finds_nothing() -> None:
    index = index_from([])
    assert index.lookup(120.3, 31.5) is None
    assert index.nearest(120.3, 31.5, 1000) is None


def test_an_empty_polygon_kept_from_before_the_checks_is_no_boundary(city: City, api: Client) -> None:
    """Imports once stored a collapsed polygon as {"type": "Polygon", "coordinates": []}: the
    locator leaves such a grid out (it failed outright when no other grid had a polygon)."""
    from civicgrid.territory.models import Node

    empty = {"type": "Polygon", "coordinates": []}
    Node.objects.filter(kind="grid").exclude(pk=city.grid_a1_1.pk).update(geometry=None)
    Node.objects.filter(pk=city.grid_a1_1.pk).update(geometry=empty)
    services.geometry_version_bump()
    response = locate(api, 120.305, 31.575)
    assert response.status_code == 404, response.content
    assert response.json()["code"] == "outside_territory"
    assert index_from([(shapely.from_geojson(json.dumps(empty)), place(1))]).lookup(0.5, 0.5) is None


@pytest.mark.parametrize("max_vertices", [32, 3], ids=["rings-in-python", "geos"])
def test_the_raster_agrees_with_plain_containment_on_awkward_shapes(
    monkeypatch: Any, max_vertices: int
) -> None:
    """Detailed boundaries (clipped per cell), holes, multipolygons, overlaps and gaps."""
    import random

    from civicgrid.territory import locator as locator_module

    monkeypatch.setattr(locator_module, "MAX_RING_VERTICES", max_vertices)

    circle = shapely.Point(0.5, 0.5).buffer(0.3, quad_segs=64)  # 257 vertices: clipped per cell
    ring_with_hole = shapely.box(0.0, 0.0, 1.0, 1.0).difference(circle)  # a hole where the circle is
    islands = shapely.MultiPolygon([shapely.box(1.2, 0.0, 1.4, 0.2), shapely.box(1.6, 0.6, 1.9, 0.9)])
    dedicated = shapely.box(0.3, 0.3, 0.45, 0.45)  # overlaps the circle: the circle comes first
    shapes = [circle, ring_with_hole, islands, dedicated]
    index = index_from([(shape, place(n)) for n, shape in enumerate(shapes)])
    rnd = random.Random(7)
    for _ in range(3000):
        x, y = rnd.uniform(-0.1, 2.0), rnd.uniform(-0.1, 1.1)
        point = shapely.Point(x, y)
        holders = [n for n, shape in enumerate(shapes) if shape.covers(point)]
        on_edge = any(shape.boundary.distance(point) < 1e-12 for shape in shapes)
        found = index.lookup(x, y)
        if not on_edge:
            assert (found.levels["grid"].id if found else None) == (holders[0] if holders else None), (x, y)
