"""The points API's bodies tell an integrator what to send (OpenAPI titles and descriptions).

An outside integrator found body fields of points with no title but pydantic's English
("Node Id", "Source Ref") and no description. Every property of every body a points operation
takes has a Chinese title (the name a 422 gives the field) and a one-line Chinese description;
ranges and lengths come from the checks and columns, not copied by hand. No body of points
takes a field of a fixed set of values (period and status are query parameters).
"""

import json
from typing import Any

import pytest
from django.test import Client

from civicgrid.points.checks import MAX_AMOUNT, MAX_QUANTITY, MAX_STOCK
from civicgrid.points.models import Goods
from civicgrid.points.tests.conftest import PointsWorld

pytestmark = pytest.mark.django_db
PREFIX = "/api/v1/points/"


@pytest.fixture
def document(client: Client) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[-1]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def body_schemas(document: dict[str, Any], prefix: str) -> dict[str, dict[str, Any]]:
    """The schemas of the request bodies under ``prefix``: components by name (and those nested
    in them), an inline form (multipart) by its operation."""
    components = document["components"]["schemas"]
    todo: set[str] = set()
    seen: dict[str, dict[str, Any]] = {}
    for path, item in document["paths"].items():
        for method in ("post", "put", "patch"):
            body = item.get(method, {}).get("requestBody") if path.startswith(prefix) else None
            if not body:
                continue
            todo |= _refs(body)
            for content in body["content"].values():
                if "properties" in content["schema"]:
                    seen[f"{method.upper()} {path}"] = content["schema"]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen[name] = components[name]
            todo |= _refs(components[name]) - set(seen)
    return seen


def body_problems(schemas: dict[str, dict[str, Any]]) -> list[str]:
    """Properties without a Chinese title, or whose description is missing, English, more
    than one line or only the title again."""
    problems = []
    for name, schema in sorted(schemas.items()):
        for field, prop in schema.get("properties", {}).items():
            title, description = prop.get("title", ""), prop.get("description", "")
            if not title or title.isascii():
                problems.append(f"{name}.{field}: title {title!r}")
            if not description or description.isascii() or "\n" in description or description == title:
                problems.append(f"{name}.{field}: description {description!r}")
    return problems


def test_every_body_field_has_a_chinese_title_and_a_description(document: dict[str, Any]) -> None:
    schemas = body_schemas(document, PREFIX)
    expected = {"GoodsIn", "GoodsPatch", "RestockIn", "RedeemIn", "CodeIn", "PointsReasonIn"}
    assert expected | {"EarnIn", "EarnBatchIn", "EarnLineIn", "AdjustIn", "DecideIn"} <= set(schemas)
    assert not body_problems(schemas), "\n".join(body_problems(schemas))


def test_ranges_and_lengths_come_from_the_checks(document: dict[str, Any]) -> None:
    components = document["components"]["schemas"]

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
