"""What the OpenAPI document tells an integrator about the request bodies (helpers for the tests).

An outside integrator found body fields titled only by pydantic's English and fields of a fixed
set of values that did not list them. The apps' ``test_*fix_openapi_fields`` tests and
``test_openapi_bodies`` share these helpers: ``body_schemas`` gathers every schema a request
body under a path prefix uses (the components, those nested in them, and an inline multipart
form by its operation); ``body_problems`` names every property whose title is not Chinese or
whose description is missing, English, more than one line or only the title again;
``assert_lists`` checks that a description lists a choice's values with their labels.
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import Choices
from django.test import Client

METHODS = ("post", "put", "patch")


def document(client: Client) -> dict[str, Any]:
    """The API's OpenAPI document, as served to an integrator."""
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


def _refs(node: Any) -> set[str]:
    """The component names a schema (or any part of one) refers to."""
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
    """The properties without a Chinese title, or whose description is missing, English, more
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


def assert_lists(description: str, choices: Iterable[Choices]) -> None:
    """``description`` lists every value of ``choices`` with its label: ``value（label）``."""
    for choice in choices:
        assert f"{choice.value}（{choice.label}）" in description, (choice, description)
