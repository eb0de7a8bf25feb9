"""Bad input to the API gets a Chinese message naming the field, whatever pydantic says."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.api import _reason

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        ({"type": "missing", "msg": "Field required"}, "必填"),
        ({"type": "string_too_long", "msg": "…", "ctx": {"max_length": 200}}, "最多200个字"),
        ({"type": "greater_than_equal", "msg": "…", "ctx": {"ge": 1}}, "应不小于1"),
        ({"type": "literal_error", "msg": "…", "ctx": {"expected": "'a' or 'b'"}}, "取值应为：'a' or 'b'"),
        ({"type": "value_error", "msg": "Value error, 坐标超出范围"}, "坐标超出范围"),
        ({"type": "some_new_type", "msg": "Input should be something"}, "取值无效"),
    ],
)
def test_pydantic_errors_read_in_chinese(error: dict[str, Any], reason: str) -> None:
    assert _reason(error) == reason


def test_a_bad_body_names_the_field_in_chinese(client: Client, city: Any) -> None:
    client.force_login(city.olivia)
    response = client.post(
        "/api/v1/requests/",
        {"channel": "hotline", "type": "complaint", "title": "x" * 500, "content": 5, "lon": "东经"},
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    text = body["message"] + str(body["detail"])
    assert not any(word in text for word in ("Input should", "Field required", "String should"))
    assert "lon" in body["detail"]


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer nope"}, {"X-API-Token": "revoked-or-wrong"}]
)
def test_a_write_without_valid_authentication_is_401_not_a_csrf_refusal(
    city: Any, headers: dict[str, str]
) -> None:
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/requests/", {"title": "x"}, content_type="application/json", headers=headers
    )
    assert response.status_code == 401
    assert "CSRF" not in response.json()["message"]


def test_a_signed_in_session_still_needs_the_csrf_token_to_write(city: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.olivia)
    response = client.post("/api/v1/requests/", {"title": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["message"] == "请求校验失败（CSRF），请刷新页面后重试"
    assert client.get("/api/v1/requests/inbox").status_code == 200  # reading needs no token
