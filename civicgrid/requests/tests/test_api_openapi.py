"""The OpenAPI document at /api/openapi.json: one component per schema class, and what the
calls answer matches what the document says they answer.

OpenAPI keeps one component per name: two schema classes of the same name in two apps
made one of them document the other's calls (the request list documented as returning
residents, the return decision's body without ``approve``)."""

from collections import defaultdict
from typing import Any, get_args

import pytest
from django.test import Client
from ninja.openapi.schema import OpenAPISchema
from pydantic import BaseModel

from civicgrid.api import api
from civicgrid.requests import services

pytestmark = pytest.mark.django_db


def _models_in(annotation: Any, found: set[type[BaseModel]]) -> None:
    """Every pydantic model an annotation holds, however deep (lists, unions, fields)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in found:
            found.add(annotation)
            for field in annotation.model_fields.values():
                _models_in(field.annotation, found)
        return
    for arg in get_args(annotation):
        _models_in(arg, found)


def _operation_models() -> set[type[BaseModel]]:
    found: set[type[BaseModel]] = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in [*operation.models, *operation.response_models.values()]:
                    _models_in(model, found)
    return found


def test_no_two_schema_classes_share_a_component_name() -> None:
    by_name: dict[str, set[str]] = defaultdict(set)
    for model in _operation_models():
        by_name[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    shared = {name: sorted(classes) for name, classes in by_name.items() if len(classes) > 1}
    assert not shared


class _Recording(OpenAPISchema):
    """The document, noting every component that a later definition overwrote with another."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.overwritten: dict[str, int] = {}
        super().__init__(*args, **kwargs)

    def add_schema_definitions(self, definitions: dict[str, Any]) -> None:
        for name, schema in definitions.items():
            if name in self.schemas and self.schemas[name] != schema:
                self.overwritten[name] = self.overwritten.get(name, 0) + 1
        super().add_schema_definitions(definitions)


def test_no_component_is_overwritten_by_another_definition() -> None:
    assert _Recording(api, "/api/").overwritten == {}


# ---------------------------------------------------------------- live answers


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return dict(api.get_openapi_schema(path_prefix="/api/"))


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


TYPES: dict[str, Any] = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
}


def _problems(value: Any, schema: dict[str, Any], document: dict[str, Any], at: str = "") -> list[str]:
    """Where ``value`` departs from ``schema``: the subset of JSON Schema the API's
    documents use (types, properties, required, items, anyOf, enum)."""
    schema = _resolve(schema, document)
    if "anyOf" in schema:
        options = [_problems(value, option, document, at) for option in schema["anyOf"]]
        return [] if any(not found for found in options) else [f"{at}: none of anyOf"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{at}: {value!r} not in {schema['enum']}"]
    kind = schema.get("type")
    if kind is None:
        return []
    if not isinstance(value, TYPES[kind]) or (kind in ("integer", "number") and isinstance(value, bool)):
        return [f"{at}: {type(value).__name__} is no {kind}"]
    found: list[str] = []
    if kind == "object":
        properties = schema.get("properties", {})
        found += [f"{at}.{name}: missing" for name in schema.get("required", []) if name not in value]
        if properties:
            found += [f"{at}.{name}: not documented" for name in value if name not in properties]
        for name, item in value.items():
            if name in properties:
                found += _problems(item, properties[name], document, f"{at}.{name}")
    elif kind == "array":
        for i, item in enumerate(value):
            found += _problems(item, schema.get("items", {}), document, f"{at}[{i}]")
    return found


def _documented(document: dict[str, Any], path: str, method: str = "get", status: int = 200) -> Any:
    operation = document["paths"][path][method]
    return operation["responses"][status]["content"]["application/json"]["schema"]


def test_the_request_list_answers_what_its_component_documents(
    hotline: Any, client: Client, document: dict[str, Any]
) -> None:
    services.request_create(actor=hotline.city.olivia, data=hotline.new())
    client.force_login(hotline.city.olivia)
    schema = _documented(document, "/api/v1/requests/")
    assert _resolve(schema, document)["properties"]["results"]["items"]["$ref"].endswith("/RequestOut")
    body = client.get("/api/v1/requests/").json()
    assert body["count"] == 1
    assert _problems(body, schema, document) == []


def test_the_volunteer_figures_answer_what_their_component_documents(
    city: Any, client: Client, document: dict[str, Any]
) -> None:
    client.force_login(city.bob)
    schema = _documented(document, "/api/v1/volunteers/figures")
    response = client.get("/api/v1/volunteers/figures")
    assert response.status_code == 200
    assert _problems(response.json(), schema, document) == []


def test_the_decision_bodies_document_approve(document: dict[str, Any]) -> None:
    for path in (
        "/api/v1/requests/{request_id}/return-decision",
        "/api/v1/requests/{request_id}/extend-decision",
    ):
        body = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert "approve" in _resolve(body, document)["properties"], path
