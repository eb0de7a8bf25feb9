"""A 401 of the JSON API says how to authenticate: ``WWW-Authenticate: Bearer`` (RFC 9110
requires the challenge; it was missing)."""

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer cg_nonsense"}, {"X-API-Token": "nonsense"}]
)
def test_a_401_carries_a_bearer_challenge(city: Any, headers: dict[str, str]) -> None:
    response = Client().get("/api/v1/requests/", headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["code"] == "unauthorized"


def test_an_answer_that_is_no_401_has_no_challenge(city: Any) -> None:
    client = Client()
    client.force_login(city.olivia)
    response = client.get("/api/v1/requests/")
    assert response.status_code == 200 and "WWW-Authenticate" not in response
