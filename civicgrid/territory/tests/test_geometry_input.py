"""Bad 范围 (geometry) and 经纬度 input to the node forms and the API: a Chinese error naming
the field, nothing changed; a polygon is never cleared by an empty field unless asked to.

Outside tester: NaN in a polygon was a 500 (GEOSException) in the admin and the API, deep
nesting a 500 (RecursionError) in the admin form; ``null`` or ``{}`` silently deleted a grid's
polygon and the audit kept only ``geometry_changed: true``; only 经度 (or only 纬度) in the
admin form threw the whole form away (the 422 error page).
"""

import json
from typing import Any

import pytest
from django.test import Client
from shapely.geometry import shape

from civicgrid.conftest import City
from civicgrid.core.admin_audit import record_fingerprint
from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.registry.tests.factories import CHINESE, db_state
from civicgrid.territory import services
from civicgrid.territory.geometry import parse_polygon
from civicgrid.territory.models import Node
from civicgrid.territory.tests.shapes import square

pytestmark = pytest.mark.django_db

NAN_RING = '{"type":"Polygon","coordinates":[[[NaN,31.58],[120.30,31.59],[120.30,31.58],[NaN,31.58]]]}'
INF_RING = (
    '{"type":"Polygon","coordinates":[[[Infinity,31.58],[120.30,31.59],[120.30,31.58],[Infinity,31.58]]]}'
)
DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize("text", [NAN_RING, INF_RING])
def test_a_polygon_with_nan_or_infinity_is_refused_in_chinese(text: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_polygon(json.loads(text))
    assert list(refused.value.errors) == ["geometry"]
    message = refused.value.errors["geometry"][0]
    assert CHINESE.search(message)
    assert "GEOS" not in message and "linestring" not in message
    assert "有限的数字" in message


@pytest.mark.parametrize(
    ("coordinates", "says"),
    [
        ([[["a", 31.58], [120.30, 31.59], [120.30, 31.58], ["a", 31.58]]], "坐标应为数字"),
        ([[[True, 31.58], [120.30, 31.59], [120.30, 31.58], [True, 31.58]]], "坐标应为数字"),
        ({"a": 1}, "[经度, 纬度]"),
        ([[[120.30], [120.30, 31.59], [120.30, 31.58], [120.30]]], "[经度, 纬度]"),
        ([[120.30, 31.58, 120.31]], "[经度, 纬度]"),
        ([[[[120.30, 31.58]]]], "[经度, 纬度]"),
        ("120.30,31.58", "[经度, 纬度]"),
    ],
)
def test_malformed_coordinates_say_what_is_wrong_without_internals(coordinates: Any, says: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_polygon({"type": "Polygon", "coordinates": coordinates})
    message = refused.value.errors["geometry"][0]
    assert says in message, message
    assert "could not convert" not in message
    assert not message.rstrip().endswith(("：0", ": 0"))


def test_a_multipolygon_is_checked_the_same_way() -> None:
    good = square(120.30, 31.57, 120.31, 31.58)["coordinates"]
    with pytest.raises(ValidationError) as refused:
        parse_polygon({"type": "MultiPolygon", "coordinates": [good, [[[float("nan"), 1.0]] * 4]]})
    assert "geometry" in refused.value.errors
    assert parse_polygon({"type": "MultiPolygon", "coordinates": [good]}).geom_type == "MultiPolygon"


def _last_update(node: Node) -> Any:
    """The latest node_updated audit row of ``node`` (its before/after read as Any)."""
    return AuditLog.objects.filter(verb="territory.node_updated", target_id=str(node.pk)).latest("pk")


# --- the admin -------------------------------------------------------------------------------


def _change_form(node: Node, **overrides: str) -> dict[str, Any]:
    node = Node.objects.get(pk=node.pk)
    form = {
        "code": node.code,
        "name": node.name,
        "parent": node.parent_id or "",
        "grid_type": node.grid_type,
        "geometry": json.dumps(node.geometry) if node.geometry is not None else "null",
        "lon": "" if node.lon is None else str(node.lon),
        "lat": "" if node.lat is None else str(node.lat),
        "address": node.address,
        "responsible_unit": "",
        "sort_order": str(node.sort_order),
        "edit_fingerprint": record_fingerprint(node),
    }
    return {**form, **overrides}


@pytest.mark.parametrize("geometry", [NAN_RING, INF_RING, DEEP, "[" * 500 + "]" * 500])
def test_the_admin_change_form_refuses_bad_geometry_on_the_field(
    client: Client, city: City, geometry: str
) -> None:
    client.force_login(city.sysadmin)
    grid = city.grid_a1_1
    before = db_state()
    response = client.post(f"/admin/territory/node/{grid.pk}/change/", _change_form(grid, geometry=geometry))
    assert response.status_code == 422
    page = response.content.decode()
    assert 'class="errorlist' in page
    assert "GEOS" not in page and "Recursion" not in page
    assert db_state() == before


@pytest.mark.parametrize("geometry", [NAN_RING, DEEP])
def test_the_admin_add_form_refuses_bad_geometry_on_the_field(
    client: Client, city: City, geometry: str
) -> None:
    client.force_login(city.sysadmin)
    before = db_state()
    response = client.post(
        "/admin/territory/node/add/",
        {
            "kind": "grid",
            "code": "",
            "name": "胜利门三网格",
            "parent": city.comm_a1.pk,
            "grid_type": "comprehensive",
            "geometry": geometry,
            "sort_order": "0",
        },
    )
    assert response.status_code == 422
    assert 'class="errorlist' in response.content.decode()
    assert db_state() == before


@pytest.mark.parametrize("emptied", ["", "null", "{}"])
def test_emptying_the_field_of_a_grid_with_a_polygon_is_refused_unless_clear_is_ticked(
    client: Client, city: City, emptied: str
) -> None:
    client.force_login(city.sysadmin)
    grid = city.grid_a1_1
    old = Node.objects.get(pk=grid.pk).geometry
    before = db_state()
    url = f"/admin/territory/node/{grid.pk}/change/"
    refused = client.post(url, _change_form(grid, geometry=emptied))
    assert refused.status_code == 422
    assert "清除范围" in refused.content.decode()
    assert db_state() == before

    cleared = client.post(url, {**_change_form(grid, geometry=emptied), "clear_geometry": "on"})
    assert cleared.status_code == 302, cleared.content.decode()[:3000]
    assert Node.objects.get(pk=grid.pk).geometry is None
    row = _last_update(grid)
    assert row.before["geometry"] == old
    assert row.after["geometry"] is None


def test_ticking_clear_with_a_polygon_in_the_field_is_refused(client: Client, city: City) -> None:
    client.force_login(city.sysadmin)
    grid = city.grid_a1_1
    before = db_state()
    response = client.post(
        f"/admin/territory/node/{grid.pk}/change/", {**_change_form(grid), "clear_geometry": "on"}
    )
    assert response.status_code == 422
    assert "清除范围" in response.content.decode()
    assert db_state() == before


def test_a_node_without_a_polygon_keeps_saving_with_an_empty_field(client: Client, city: City) -> None:
    client.force_login(city.sysadmin)
    building = city.building_a1
    response = client.post(
        f"/admin/territory/node/{building.pk}/change/", _change_form(building, geometry="", address="一号")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Node.objects.get(pk=building.pk).address == "一号"


@pytest.mark.parametrize(("given", "missing"), [("lon", "lat"), ("lat", "lon")])
def test_only_one_of_lon_and_lat_is_a_field_error_and_the_form_is_kept(
    client: Client, city: City, given: str, missing: str
) -> None:
    client.force_login(city.sysadmin)
    grid = city.grid_a1_1
    before = db_state()
    form = _change_form(grid, address="刚输入的地址", lon="", lat="")
    form[given] = "120.305" if given == "lon" else "31.575"
    response = client.post(f"/admin/territory/node/{grid.pk}/change/", form)
    assert response.status_code == 422
    page = response.content.decode()
    assert "经度和纬度需同时填写" in page
    assert "刚输入的地址" in page  # the form, as typed, is shown again
    assert f'name="{missing}"' in page
    assert db_state() == before


def test_an_out_of_range_latitude_is_a_field_error_in_the_admin(client: Client, city: City) -> None:
    client.force_login(city.sysadmin)
    grid = city.grid_a1_1
    before = db_state()
    response = client.post(
        f"/admin/territory/node/{grid.pk}/change/", _change_form(grid, lon="120.3", lat="91")
    )
    assert response.status_code == 422
    assert "纬度应在 -90 到 90 之间" in response.content.decode()
    assert db_state() == before


# --- the API and the service ----------------------------------------------------------------


def _patch(client: Client, node: Node, body: str) -> Any:
    return client.patch(f"/api/v1/territory/nodes/{node.pk}", body, content_type="application/json")


@pytest.mark.parametrize("text", [NAN_RING, INF_RING])
def test_the_api_refuses_nan_in_a_polygon(client: Client, city: City, text: str) -> None:
    client.force_login(city.sysadmin)
    before = db_state()
    response = _patch(client, city.grid_a1_1, '{"geometry": ' + text + "}")
    assert response.status_code == 422, response.content.decode()
    assert "geometry" in response.json()["detail"]
    assert db_state() == before


def test_the_api_refuses_nan_in_a_new_nodes_polygon(client: Client, city: City) -> None:
    client.force_login(city.sysadmin)
    before = db_state()
    body = f'{{"kind": "grid", "name": "新网格", "parent_id": {city.comm_a1.pk}, "geometry": {NAN_RING}}}'
    response = client.post("/api/v1/territory/nodes", body, content_type="application/json")
    assert response.status_code == 422, response.content.decode()
    assert db_state() == before


@pytest.mark.parametrize("body", ['{"geometry": null}', '{"geometry": {}}'])
def test_the_api_does_not_clear_a_polygon_with_null(client: Client, city: City, body: str) -> None:
    client.force_login(city.sysadmin)
    before = db_state()
    response = _patch(client, city.grid_a1_1, body)
    assert response.status_code == 422, response.content.decode()
    assert "clear_geometry" in response.json()["message"]
    assert db_state() == before


def test_the_api_clears_a_polygon_when_asked_and_the_audit_keeps_it(client: Client, city: City) -> None:
    client.force_login(city.sysadmin)
    grid = city.grid_a1_1
    old = Node.objects.get(pk=grid.pk).geometry
    response = _patch(client, grid, '{"clear_geometry": true}')
    assert response.status_code == 200, response.content.decode()
    assert response.json()["geometry"] is None
    row = _last_update(grid)
    assert row.before["geometry"] == old
    # Restoring from the audit row puts it back.
    restored = _patch(client, grid, json.dumps({"geometry": row.before["geometry"]}))
    assert restored.status_code == 200, restored.content.decode()
    assert shape(Node.objects.get(pk=grid.pk).geometry).equals(shape(old))  # same ring, may start elsewhere


def test_clear_and_a_polygon_together_are_refused(client: Client, city: City) -> None:
    client.force_login(city.sysadmin)
    before = db_state()
    body = json.dumps({"clear_geometry": True, "geometry": square(120.30, 31.57, 120.31, 31.58)})
    response = _patch(client, city.grid_a1_1, body)
    assert response.status_code == 422
    assert db_state() == before


def test_a_new_polygon_keeps_the_old_one_in_the_audit(city: City) -> None:
    grid = city.grid_a1_1
    old = Node.objects.get(pk=grid.pk).geometry
    services.node_update(actor=city.sysadmin, node=grid, geometry=square(120.30, 31.57, 120.309, 31.579))
    row = _last_update(grid)
    assert row.before["geometry"] == old
    assert row.after["geometry"] == Node.objects.get(pk=grid.pk).geometry
    assert row.after["geometry_changed"] is True


@pytest.mark.parametrize("empty", [None, {}, ""])
def test_the_service_refuses_an_empty_geometry_for_a_node_with_a_polygon(city: City, empty: Any) -> None:
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        services.node_update(actor=city.sysadmin, node=city.grid_a1_1, geometry=empty)
    assert "geometry" in refused.value.errors
    assert db_state() == before
    services.node_update(actor=city.sysadmin, node=city.grid_a1_1, clear_geometry=True)
    assert Node.objects.get(pk=city.grid_a1_1.pk).geometry is None
