"""A JSON body that is not an object (an array, a bare string or number) is refused with one
clear Chinese error naming the body, before any schema runs; a body declared in another
charset than UTF-8 is decoded by that charset (an outside integrator sent GBK)."""

import json
from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts.services import api_token_create
from civicgrid.requests.models import Request

pytestmark = pytest.mark.django_db

INTAKE = "/api/v1/requests/"


def bearer(city: Any) -> dict[str, str]:
    _, key = api_token_create(actor=None, system=True, user=city.bob, name="客户端")
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize("body", ["[]", '[{"title": "路灯不亮"}]', '"路灯不亮"', "42", "null"])
def test_a_body_that_is_not_an_object_is_refused_naming_the_body(city: Any, body: str) -> None:
    response = Client().post(INTAKE, body, "application/json", headers=bearer(city))
    assert response.status_code == 422
    error = response.json()
    assert error["code"] == "invalid"
    assert error["message"] == "请求体应为 JSON 对象" and error["detail"] == {
        "请求体": ["请求体应为 JSON 对象"]
    }
    assert not Request.objects.exists()


def test_an_object_body_still_reaches_the_schema(city: Any) -> None:
    response = Client().post(INTAKE, json.dumps({"title": "x"}), "application/json", headers=bearer(city))
    assert response.status_code == 422
    assert "应为 JSON 对象" not in response.json()["message"]


def test_a_gbk_body_that_says_so_is_read_and_one_that_does_not_is_refused(city: Any) -> None:
    headers = bearer(city)
    text = json.dumps({"title": "路灯不亮"}, ensure_ascii=False)
    # the test client encodes a text body by the charset its content type names
    declared = Client().post(INTAKE, text, "application/json; charset=GBK", headers=headers)
    assert declared.status_code == 422  # past the parser: the schema wants more fields
    assert "不是有效的 JSON" not in declared.json()["message"]
    silent = Client().post(INTAKE, text.encode("gbk"), "application/json", headers=headers)
    assert silent.status_code == 422 and silent.json()["message"] == "不是有效的 JSON"
