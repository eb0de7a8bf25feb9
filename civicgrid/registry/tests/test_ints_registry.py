"""JSON true or 1.0 is no id: POST /api/v1/registry/residents with ``node_id: true`` was
read as node 1 (pydantic's lax int); now 422 naming the field, and nothing is stored."""

import json
from typing import Any

import pytest
from django.test import Client

from civicgrid.core.models import AuditLog
from civicgrid.registry.models import Resident
from civicgrid.registry.tests.factories import World

pytestmark = pytest.mark.django_db
API = "/api/v1/registry/residents"


def post(client: Client, body: dict[str, Any]) -> Any:
    return client.post(API, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("bad", [True, 1.0])
def test_a_node_id_of_true_or_1_0_is_refused_by_name(world: World, client: Client, bad: Any) -> None:
    client.force_login(world.city.bob)
    before = (Resident.objects.count(), AuditLog.objects.count())
    answer = post(client, {"node_id": bad, "name": "新住户"})
    assert answer.status_code == 422, answer.json()
    assert answer.json()["detail"] == {"node_id": ["应为整数"]}
    assert answer.json()["message"] == "所属区域：应为整数"  # the field's title, as the form labels it
    assert (Resident.objects.count(), AuditLog.objects.count()) == before
    answer = post(client, {"node_id": world.city.grid_a1_1.pk, "name": "新住户", "household_id": bad})
    assert answer.status_code == 422 and answer.json()["detail"] == {"household_id": ["应为整数"]}
    assert (Resident.objects.count(), AuditLog.objects.count()) == before


def test_a_whole_number_still_registers(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    answer = post(client, {"node_id": world.city.grid_a1_1.pk, "name": "新住户"})
    assert answer.status_code in (200, 201), answer.json()
    assert Resident.objects.get(name="新住户").node_id == world.city.grid_a1_1.pk
