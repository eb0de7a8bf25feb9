"""A method the JSON API does not take answers 405 in the API's own error shape, in Chinese,
with ``Allow`` (an outside integrator got Django Ninja's plain-text "Method not allowed")."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts.services import api_token_create

pytestmark = pytest.mark.django_db


def test_a_method_the_api_does_not_take_is_a_json_405_naming_what_it_takes(city: Any) -> None:
    _, key = api_token_create(actor=None, system=True, user=city.bob, name="客户端")
    response = Client().delete("/api/v1/requests/1", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "method_not_allowed"
    assert "不支持 DELETE 请求" in body["message"] and "GET" in response["Allow"]
    assert "GET" in body["message"]


def test_pages_keep_their_own_405(city: Any) -> None:
    client = Client()
    client.force_login(city.sysadmin)
    response = client.get("/workcal/2027/confirm/")  # a POST-only page action
    assert response.status_code == 405
    assert not response.get("Content-Type", "").startswith("application/json")
