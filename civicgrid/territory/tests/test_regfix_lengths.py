"""A node's address and a position's holder and unit longer than their columns are refused
(422 naming the field) by the services, on PostgreSQL too, where the column would refuse
the row with a 500; nothing is written."""

import json
from typing import Any

import pytest
from django.test import Client

from civicgrid.territory.models import Node, Position

pytestmark = pytest.mark.django_db
NODES = "/api/v1/territory/nodes"


def send(client: Client, method: str, url: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_a_node_address_beyond_its_column_is_refused(city: Any, client: Client) -> None:
    client.force_login(city.sysadmin)
    count = Node.objects.count()
    body = {"kind": "grid", "name": "新网格", "parent_id": city.comm_a1.pk, "address": "路" * 400}
    response = send(client, "post", NODES, body)
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == {"address": ["地址最长255个字"]}
    assert Node.objects.count() == count
    response = send(client, "patch", f"{NODES}/{city.grid_a1_1.pk}", {"address": "路" * 500})
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == {"address": ["地址最长255个字"]}
    city.grid_a1_1.refresh_from_db()
    assert city.grid_a1_1.address == ""
    assert send(client, "patch", f"{NODES}/{city.grid_a1_1.pk}", {"address": "路" * 255}).status_code == 200


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [("holder_name", "张" * 200, "姓名最长50个字"), ("organisation_name", "单" * 400, "工作单位最长100个字")],
)
def test_a_position_field_beyond_its_column_is_refused(
    city: Any, client: Client, field: str, value: str, reason: str
) -> None:
    client.force_login(city.sysadmin)
    body = {"post": "grid_leader", "holder_name": "张三", "start_date": "2024-01-01", field: value}
    response = send(client, "post", f"{NODES}/{city.grid_a1_1.pk}/positions", body)
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == {field: [reason]}
    assert not Position.objects.exists()
