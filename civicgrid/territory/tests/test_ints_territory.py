"""JSON true or 1.0 is no id: moving a node with ``parent_id: true`` was read as node 1
(pydantic's lax int) and moved the grid there; now 422 naming the field, nothing moves."""

import json
from typing import Any

import pytest
from django.test import Client

from civicgrid.core.models import AuditLog
from civicgrid.registry.tests.factories import World
from civicgrid.territory.models import Node

pytestmark = pytest.mark.django_db


def move(client: Client, node: Node, body: dict[str, Any]) -> Any:
    return client.post(
        f"/api/v1/territory/nodes/{node.pk}/move", json.dumps(body), content_type="application/json"
    )


@pytest.mark.parametrize("bad", [True, 1.0])
def test_a_parent_id_of_true_or_1_0_is_refused_by_name(world: World, client: Client, bad: Any) -> None:
    c = world.city
    client.force_login(c.sysadmin)
    before = (Node.objects.get(pk=c.grid_a1_1.pk).path, AuditLog.objects.count())
    answer = move(client, c.grid_a1_1, {"parent_id": bad})
    assert answer.status_code == 422, answer.json()
    assert answer.json()["code"] == "invalid"
    assert answer.json()["detail"] == {"parent_id": ["应为整数"]}
    assert (Node.objects.get(pk=c.grid_a1_1.pk).path, AuditLog.objects.count()) == before


def test_a_whole_number_still_moves(world: World, client: Client) -> None:
    c = world.city
    client.force_login(c.sysadmin)
    answer = move(client, c.grid_a1_1, {"parent_id": c.comm_a2.pk})
    assert answer.status_code == 200, answer.json()
    assert Node.objects.get(pk=c.grid_a1_1.pk).parent_id == c.comm_a2.pk
