"""JSON true or 1.0 is no quantity: restocking with ``quantity: true`` was read as 1
(pydantic's lax int) and added one; now 422 naming the field, and the stock stays."""

import json
from typing import Any

import pytest
from django.test import Client

from civicgrid.points.models import Goods
from civicgrid.points.tests.conftest import PointsWorld, counts

pytestmark = pytest.mark.django_db


def restock(pw: PointsWorld, body: dict[str, Any]) -> Any:
    client = Client()
    client.force_login(pw.city.bob)
    return client.post(
        f"/api/v1/points/goods/{pw.soap.pk}/restock", json.dumps(body), content_type="application/json"
    )


@pytest.mark.parametrize("bad", [True, 1.0])
def test_a_quantity_of_true_or_1_0_is_refused_by_name(pw: PointsWorld, bad: Any) -> None:
    before = counts()
    answer = restock(pw, {"quantity": bad})
    assert answer.status_code == 422, answer.json()
    assert answer.json()["detail"] == {"quantity": ["应为整数"]}
    assert Goods.objects.get(pk=pw.soap.pk).stock == 5 and counts() == before


def test_a_whole_number_still_restocks(pw: PointsWorld) -> None:
    answer = restock(pw, {"quantity": 3})
    assert answer.status_code == 200, answer.json()
    assert Goods.objects.get(pk=pw.soap.pk).stock == 8
