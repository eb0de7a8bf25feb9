"""The volunteers API's bodies tell an integrator what to send (OpenAPI titles and descriptions).

An outside integrator found body fields titled only by pydantic's English and fields of a fixed
set of values that did not list them. Every property of every body a volunteers operation takes
(the JSON schemas and the multipart form of 完成服务) has a Chinese title (the name a 422 gives
the field) and a one-line Chinese description; a choice's values come from its ``TextChoices``.
"""

import json
from typing import Any

import pytest
from django.test import Client

from civicgrid.volunteers.constants import (
    Availability,
    Difficulty,
    OrdererKind,
    ServiceType,
    TakerKind,
    TeamColour,
    VolunteerKind,
)

pytestmark = pytest.mark.django_db
PREFIX = "/api/v1/volunteers/"


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
    expected = {"RegisterIn", "UpdateIn", "TeamIn", "ActivityIn", "ActivityPatchIn", "VolunteerOrderIn"}
    assert expected | {"TakerIn", "ConfirmIn", "BoardIn", "VolunteerCheckIn"} <= set(schemas)
    assert "POST /api/v1/volunteers/orders/{order_id}/complete" in schemas  # the multipart form
    assert not body_problems(schemas), "\n".join(body_problems(schemas))


def test_fields_of_fixed_values_list_them_from_their_choices(document: dict[str, Any]) -> None:
    components = document["components"]["schemas"]
    for schema, field, choices in (
        ("VolunteerOrderIn", "service_type", ServiceType),
        ("VolunteerOrderIn", "orderer_kind", OrdererKind),
        ("VolunteerOrderIn", "difficulty", Difficulty),
        ("TakerIn", "taker_kind", TakerKind),
        ("RegisterIn", "kind", VolunteerKind),
        ("RegisterIn", "availability", Availability),
        ("TeamIn", "colour", TeamColour),
    ):
        description = components[schema]["properties"][field]["description"]
        for choice in choices:
            assert f"{choice.value}（{choice.label}）" in description, (schema, field, choice)


def test_the_title_names_the_field_in_a_422(people: Any) -> None:
    client = Client()
    client.force_login(people.city.bob)
    body = {"title": "买菜", "content": "每周一次", "difficulty": "很难"}
    response = client.post(PREFIX + "orders", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert "难度应为整数" in response.json()["message"]


def test_the_guard_sees_an_english_title_and_a_missing_description() -> None:
    schemas = {
        "X": {"properties": {"kind": {"title": "Kind"}, "ok": {"title": "类别", "description": "类别"}}}
    }
    assert body_problems(schemas) == [
        "X.kind: title 'Kind'",
        "X.kind: description ''",
        "X.ok: description '类别'",
    ]
