"""JSON true or 1.0 is no id: POST /api/v1/party/alliances with ``node_id: true`` was read
as node 1 (pydantic's lax int); now 422 naming the field, and nothing is stored."""

import json
from typing import Any

import pytest
from django.test import Client

from civicgrid.party import models as m
from civicgrid.party.tests.conftest import PartyWorld, counts

pytestmark = pytest.mark.django_db


def create(pw: PartyWorld, body: dict[str, Any]) -> Any:
    client = Client()
    client.force_login(pw.city.bob)
    return client.post("/api/v1/party/alliances", json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("bad", [True, 1.0])
def test_a_node_id_of_true_or_1_0_is_refused_by_name(pw: PartyWorld, bad: Any) -> None:
    before = (counts(), m.Alliance.objects.count())
    answer = create(pw, {"node_id": bad, "name": "胜利门共建联盟"})
    assert answer.status_code == 422, answer.json()
    assert answer.json()["detail"] == {"node_id": ["应为整数"]}
    assert answer.json()["message"] == "所在区域：应为整数"  # the field's title
    assert (counts(), m.Alliance.objects.count()) == before


def test_a_whole_number_still_creates(pw: PartyWorld) -> None:
    answer = create(pw, {"node_id": pw.city.comm_a1.pk, "name": "胜利门共建联盟"})
    assert answer.status_code == 201, answer.json()
    assert m.Alliance.objects.get(name="胜利门共建联盟").node_id == pw.city.comm_a1.pk
