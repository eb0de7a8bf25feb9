"""A signed-in write without its CSRF token is 403 ``forbidden``, the API's code for 403."""

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_session_write_without_csrf_is_forbidden(city: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.olivia)
    response = client.post("/api/v1/requests/sign-bulk", {"ids": [1]}, "application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden" and "CSRF" in response.json()["message"]
