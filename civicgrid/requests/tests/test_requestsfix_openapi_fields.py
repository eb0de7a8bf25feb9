"""The request API's bodies tell an integrator what to send (OpenAPI titles and descriptions).

An outside integrator found body fields titled only by pydantic's English and fields of a fixed
set of values that did not list them. Every property of every body the request operations take
(the JSON schemas, the objects nested in them, and the multipart form of the attachments) has a
Chinese title (the name a 422 gives the field) and a one-line Chinese description; a choice's
values come from its ``TextChoices``. ``body_problems`` is shared by the other apps' tests.
"""

from typing import Any

import pytest
from django.test import Client

from civicgrid.requests.constants import Channel, RequestType, Resolution, Satisfaction, Urgency

pytestmark = pytest.mark.django_db
METHODS = ("post", "put", "patch")


@pytest.fixture
def document(client: Client) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            found.add(node["$ref"].rsplit("/", 1)[-1])
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def body_schemas(document: dict[str, Any], prefix: str) -> dict[str, dict[str, Any]]:
    """Every schema a request body of an operation under ``prefix`` uses: the components (and
    those nested in them) by name, an inline form (multipart) by its operation."""
    components = document["components"]["schemas"]
    todo: set[str] = set()
    seen: dict[str, dict[str, Any]] = {}
    for path, item in document["paths"].items():
        if not path.startswith(prefix):
            continue
        for method in METHODS:
            body = item.get(method, {}).get("requestBody")
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
    """The properties without a Chinese title or a one-line Chinese description."""
    problems = []
    for name, schema in sorted(schemas.items()):
        for field, prop in schema.get("properties", {}).items():
            title, description = prop.get("title", ""), prop.get("description", "")
            if not title or title.isascii():
                problems.append(f"{name}.{field}: title {title!r}")
            if not description or description.isascii() or "\n" in description or description == title:
                problems.append(f"{name}.{field}: description {description!r}")
    return problems


def assert_lists(description: str, choices: Any) -> None:
    for choice in choices:
        assert f"{choice.value}（{choice.label}）" in description, (choice, description)


def test_every_body_field_has_a_chinese_title_and_a_description(document: dict[str, Any]) -> None:
    schemas = body_schemas(document, "/api/v1/requests/")
    assert {"RequestIn", "DispatchIn", "CallbackIn", "CouncilIn", "WhistleIn", "ReassignIn"} <= set(schemas)
    assert "POST /api/v1/requests/{request_id}/attachments" in schemas  # the multipart form
    assert not body_problems(schemas), "\n".join(body_problems(schemas))


def test_fields_of_fixed_values_list_them_from_their_choices(document: dict[str, Any]) -> None:
    components = document["components"]["schemas"]
    for schema, field, choices in (
        ("RequestIn", "channel", Channel),
        ("RequestIn", "type", RequestType),
        ("RequestIn", "urgency", Urgency),
        ("CallbackIn", "resolution", Resolution),
        ("RateIn", "satisfaction", Satisfaction),
    ):
        assert_lists(components[schema]["properties"][field]["description"], choices)
    assert "取值：" in components["RequestIn"]["properties"]["type"]["description"]


def test_the_guard_sees_an_english_title_and_a_missing_description() -> None:
    schemas = {
        "X": {"properties": {"source": {"title": "Source"}, "ok": {"title": "来源", "description": "来源"}}}
    }
    assert body_problems(schemas) == [
        "X.source: title 'Source'",
        "X.source: description ''",
        "X.ok: description '来源'",  # only the title again: says nothing more
    ]
