"""The OpenAPI document is built once per process (``CivicNinjaAPI.get_openapi_schema``)."""

from typing import Any

import ninja.main
import pytest
from django.test import Client
from django.utils import translation

from civicgrid import api as api_module


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each build of the document, by its address prefix; none kept from earlier tests."""
    monkeypatch.setattr(api_module, "_OPENAPI_DOCUMENTS", {})
    made: list[str] = []
    real = ninja.main.get_schema

    def counted(*, api: Any, path_prefix: str) -> Any:
        made.append(path_prefix)
        return real(api=api, path_prefix=path_prefix)

    monkeypatch.setattr(ninja.main, "get_schema", counted)
    return made


@pytest.mark.django_db
def test_both_addresses_serve_one_document_built_once(builds: list[str]) -> None:
    client = Client()
    first = client.get("/api/openapi.json")
    again = client.get("/api/openapi.json")
    under_v1 = client.get("/api/v1/openapi.json")
    assert first.status_code == again.status_code == under_v1.status_code == 200
    assert first.json() == again.json() == under_v1.json()
    assert "/api/v1/requests/" in first.json()["paths"]
    assert builds == ["/api/"]


@pytest.mark.django_db
def test_another_language_gets_its_own_document(builds: list[str]) -> None:
    document = api_module.api.get_openapi_schema()
    with translation.override("en"):
        api_module.api.get_openapi_schema()
    assert api_module.api.get_openapi_schema() is document
    assert builds == ["/api/", "/api/"]
