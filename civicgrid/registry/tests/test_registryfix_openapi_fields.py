"""The registry's request bodies tell an integrator what to send (OpenAPI titles and descriptions).

An outside integrator found fields titled only by pydantic's English ("Node Id", "Kind") with
no description, and fields taking a fixed set of values (单位类型, 性别, 注销原因) that did not
list them. Every property of the registry's bodies now has a Chinese title (also the name a
422 gives the field) and a one-line Chinese description; the values of a choice come from its
``TextChoices``.
"""

import json
from typing import Any

import pytest
from django.test import Client

from civicgrid.registry.models import Gender, LeftReason, Organisation, OrganisationKind, ResidenceType
from civicgrid.registry.tests.factories import World

pytestmark = pytest.mark.django_db
PREFIX = "/api/v1/registry/"
METHODS = ("post", "put", "patch")


@pytest.fixture
def document(client: Client) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def _refs(node: Any) -> set[str]:
    """The component names a schema (or any part of one) refers to."""
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            found.add(ref.rsplit("/", 1)[-1])
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def body_schemas(document: dict[str, Any], prefix: str) -> dict[str, dict[str, Any]]:
    """Every component the request bodies of the operations under ``prefix`` use, with those
    nested in them."""
    components = document["components"]["schemas"]
    todo: set[str] = set()
    for path, item in document["paths"].items():
        if path.startswith(prefix):
            for method in METHODS:
                todo |= _refs(item.get(method, {}).get("requestBody", {}))
    seen: dict[str, dict[str, Any]] = {}
    while todo:
        name = todo.pop()
        if name not in seen:
            seen[name] = components[name]
            todo |= _refs(components[name]) - set(seen)
    return seen


def field_problems(schemas: dict[str, dict[str, Any]]) -> list[str]:
    problems = []
    for name, schema in sorted(schemas.items()):
        for field, prop in schema.get("properties", {}).items():
            title, description = prop.get("title", ""), prop.get("description", "")
            if not title or title.isascii():
                problems.append(f"{name}.{field}: title {title!r}")
            if not description or description.isascii() or "\n" in description:
                problems.append(f"{name}.{field}: description {description!r}")
    return problems


def test_every_body_field_has_a_chinese_title_and_a_description(document: dict[str, Any]) -> None:
    schemas = body_schemas(document, PREFIX)
    assert set(schemas) == {"ResidentIn", "ResidentPatch", "OrganisationIn"}
    assert not field_problems(schemas), "\n".join(field_problems(schemas))


def test_the_guard_sees_an_english_title_and_a_missing_description() -> None:
    schemas = {
        "XIn": {"properties": {"kind": {"title": "Kind"}, "name": {"title": "名称", "description": "名称"}}}
    }
    assert field_problems(schemas) == ["XIn.kind: title 'Kind'", "XIn.kind: description ''"]


def test_fields_of_fixed_values_list_them_from_their_choices(document: dict[str, Any]) -> None:
    components = document["components"]["schemas"]
    for schema, field, choices in (
        ("OrganisationIn", "kind", OrganisationKind),
        ("ResidentIn", "gender", Gender),
        ("ResidentIn", "residence_type", ResidenceType),
        ("ResidentPatch", "gender", Gender),
        ("ResidentPatch", "residence_type", ResidenceType),
        ("ResidentPatch", "left_reason", LeftReason),
    ):
        description = components[schema]["properties"][field]["description"]
        for choice in choices:
            assert f"{choice.value}（{choice.label}）" in description, (schema, field, choice)
    organisation = components["OrganisationIn"]["properties"]
    assert organisation["kind"]["title"] == "单位类型"  # not pydantic's "Kind"
    assert "最长200字" in organisation["name"]["description"]  # the service's limit
    assert "elderly_alone" in components["ResidentIn"]["properties"]["tags"]["description"]


def test_a_refused_body_names_the_field_by_its_title(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    before = Organisation.objects.count()
    body = {"node_id": world.city.grid_a1_1.pk, "name": "新开超市"}  # no kind
    response = client.post(PREFIX + "organisations", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"] == {"kind": ["必填"]}
    assert response.json()["message"] == "单位类型：必填"  # the title, translated by the 422 handler
    assert Organisation.objects.count() == before
