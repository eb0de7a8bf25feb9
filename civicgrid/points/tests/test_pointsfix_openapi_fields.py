"""The points API's bodies tell an integrator what to send (OpenAPI titles and descriptions).

An outside integrator found body fields of points with no title but pydantic's English
("Node Id", "Source Ref") and no description. Every property of every body a points operation
takes has a Chinese title (the name a 422 gives the field) and a one-line Chinese description;
ranges and lengths come from the checks and columns, not copied by hand. No body of points
takes a field of a fixed set of values (period and status are query parameters).
"""

import json

import pytest
from django.test import Client

from civicgrid.core.tests.openapi_bodies import body_problems, body_schemas, document
from civicgrid.points.checks import MAX_AMOUNT, MAX_QUANTITY, MAX_STOCK
from civicgrid.points.models import Goods
from civicgrid.points.tests.conftest import PointsWorld

pytestmark = pytest.mark.django_db
PREFIX = "/api/v1/points/"


def test_every_body_field_has_a_chinese_title_and_a_description(client: Client) -> None:
    schemas = body_schemas(document(client), PREFIX)
    expected = {"GoodsIn", "GoodsPatch", "RestockIn", "RedeemIn", "CodeIn", "PointsReasonIn"}
    assert expected | {"EarnIn", "EarnBatchIn", "EarnLineIn", "AdjustIn", "DecideIn"} <= set(schemas)
    assert not body_problems(schemas), "\n".join(body_problems(schemas))


def test_ranges_and_lengths_come_from_the_checks(client: Client) -> None:
    components = document(client)["components"]["schemas"]

    def said(schema: str, field: str) -> str:
        return str(components[schema]["properties"][field]["description"])

    assert f"1到{MAX_AMOUNT}的整数" in said("GoodsIn", "price")
    assert f"0到{MAX_STOCK}的整数" in said("GoodsIn", "per_person_limit")
    assert f"1到{MAX_QUANTITY}的整数" in said("RedeemIn", "quantity")
    assert f"最长{Goods._meta.get_field('name').max_length}字" in said("GoodsPatch", "name")
    assert "二选一" in said("EarnIn", "resident_id") and "二选一" in said("RedeemIn", "organisation_id")


def test_the_title_names_the_field_in_a_422(pw: PointsWorld) -> None:
    client = Client()
    client.force_login(pw.city.bob)
    body = {"goods_id": pw.soap.pk, "quantity": "两件", "resident_id": pw.erin.pk}
    response = client.post(PREFIX + "redemptions", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["message"] == "数量：应为整数"
    body = {"node_id": pw.city.comm_a1.pk, "name": "油", "price": 5, "stock": "很多"}
    response = client.post(PREFIX + "goods", json.dumps(body), content_type="application/json")
    assert response.status_code == 422 and response.json()["message"] == "库存：应为整数"
