"""A move to the parent a node already has is refused, naming the field, and changes nothing
(regression test): before, it answered 200, rewrote the subtree's scoped rows to the same
paths and audited ``territory.node_moved`` with the same parent before and after."""

import json

import pytest
from django.test import Client

from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.registry.tests.factories import World, db_state
from civicgrid.territory import services
from civicgrid.territory.constants import Verb
from civicgrid.territory.models import GeometryVersion

REFUSED = "已在该上级之下"


def test_the_service_refuses_a_move_to_the_same_parent(world: World) -> None:
    c = world.city
    state, version = db_state(), GeometryVersion.objects.get(pk=1).version
    with pytest.raises(ValidationError) as refused:
        services.node_move(actor=c.sysadmin, node=c.grid_a1_1, new_parent=c.comm_a1)
    assert refused.value.errors == {"parent": [REFUSED]}
    assert db_state() == state
    assert GeometryVersion.objects.get(pk=1).version == version
    assert not AuditLog.objects.filter(verb=Verb.NODE_MOVED).exists()


def test_the_api_names_parent_id(world: World, client: Client) -> None:
    c = world.city
    client.force_login(c.sysadmin)
    state = db_state()
    response = client.post(
        f"/api/v1/territory/nodes/{c.grid_a1_1.pk}/move",
        data=json.dumps({"parent_id": c.comm_a1.pk}),
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == {"parent_id": [REFUSED]}
    assert response.json()["message"] == REFUSED
    assert db_state() == state


def test_the_api_names_parent_id_for_the_other_refusals_too(world: World, client: Client) -> None:
    c = world.city
    client.force_login(c.sysadmin)
    response = client.post(
        f"/api/v1/territory/nodes/{c.comm_a1.pk}/move",
        data=json.dumps({"parent_id": c.grid_a1_1.pk}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert list(response.json()["detail"]) == ["parent_id"]


def test_a_move_to_another_parent_still_moves(world: World, client: Client) -> None:
    c = world.city
    client.force_login(c.sysadmin)
    response = client.post(
        f"/api/v1/territory/nodes/{c.grid_a1_1.pk}/move",
        data=json.dumps({"parent_id": c.comm_a2.pk}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert AuditLog.objects.filter(verb=Verb.NODE_MOVED).count() == 1
