"""The party's request bodies tell an integrator what to send (OpenAPI titles and descriptions).

An outside integrator found fields titled only by pydantic's English ("Source", "Category")
with no description, and fields taking a fixed set of values that did not list them. Every
property of every body the party's operations take (and of the objects nested in them) now
has a Chinese title (also the name a 422 gives the field) and a description; the values of a
choice come from its ``TextChoices``.
"""

import json
from typing import Any

import pytest
from django.test import Client

from civicgrid.party.constants import CommitteeSource, NeedCategory, NeedSource, OrgKind, ServiceType
from civicgrid.party.tests.conftest import PartyWorld, counts

pytestmark = pytest.mark.django_db
PREFIX = "/api/v1/party/"
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


def _body_schemas(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every component a party operation's request body uses, with those nested in them."""
    components = document["components"]["schemas"]
    todo: set[str] = set()
    for path, item in document["paths"].items():
        if not path.startswith(PREFIX):
            continue
        for method in METHODS:
            body = item.get(method, {}).get("requestBody")
            if body:
                todo |= _refs(body)
    seen: dict[str, dict[str, Any]] = {}
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen[name] = components[name]
        todo |= _refs(components[name]) - set(seen)
    return seen


def test_every_body_field_has_a_chinese_title_and_a_description(document: dict[str, Any]) -> None:
    schemas = _body_schemas(document)
    # the bodies of the integrator's report, and the nested rows of a meeting
    assert {
        "NeedIn",
        "SeatIn",
        "OrgIn",
        "PartyMemberIn",
        "AgreementIn",
        "AttendanceIn",
        "PartyTaskIn",
    } <= set(schemas)
    problems = []
    for name, schema in sorted(schemas.items()):
        for field, prop in schema.get("properties", {}).items():
            title, description = prop.get("title", ""), prop.get("description", "")
            if not title or title.isascii():
                problems.append(f"{name}.{field}: title {title!r}")
            if not description or description.isascii() or "\n" in description:
                problems.append(f"{name}.{field}: description {description!r}")
    assert not problems, "\n".join(problems)


def test_fields_of_fixed_values_list_them_from_their_choices(document: dict[str, Any]) -> None:
    components = document["components"]["schemas"]
    for schema, field, choices in (
        ("NeedIn", "category", NeedCategory),
        ("NeedIn", "source", NeedSource),
        ("SeatIn", "source", CommitteeSource),
        ("OrgIn", "kind", OrgKind),
        ("MyReportIn", "service_types", ServiceType),
    ):
        description = components[schema]["properties"][field]["description"]
        for choice in choices:
            assert f"{choice.value}（{choice.label}）" in description, (schema, field, choice)
    assert components["NeedIn"]["properties"]["source"]["title"] == "来源"  # not pydantic's "Source"


def test_a_refused_body_names_the_field_by_its_title(pw: PartyWorld) -> None:
    client = Client()
    client.force_login(pw.city.bob)
    before = counts()
    body = {"node_id": pw.city.grid_a1_1.pk, "title": "楼道照明", "category": "elderly"}  # no source
    response = client.post(PREFIX + "needs", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert "source" in response.json()["detail"]
    assert "来源" in response.json()["message"]  # the title, translated by the 422 handler
    assert counts() == before
