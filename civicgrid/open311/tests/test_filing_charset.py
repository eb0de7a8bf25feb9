"""A form that is no UTF-8 (GBK sent as is) is refused naming the field, nothing stored; so is a
form that declares another charset (naming it). A JSON body that declares its charset
(``charset=GBK``) is read by it."""

import json
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from civicgrid.accounts.services import api_token_create
from civicgrid.requests.models import Request

pytestmark = pytest.mark.django_db

URL = "/open311/v2/requests.json"
FORM = "application/x-www-form-urlencoded"


def body(hotline: Any, description: bytes) -> str:
    _, key = api_token_create(actor=None, system=True, user=hotline.city.olivia, name="Open311")
    code = hotline.water_outage.code
    return f"api_key={key}&service_code={code}&lat=31.575&long=120.305&description={quote(description)}"


def test_a_gbk_description_is_refused_by_name(hotline: Any) -> None:
    response = Client().post(URL, body(hotline, "全楼停水一天了".encode("gbk")), content_type=FORM)
    assert response.status_code == 400
    [error] = response.json()
    assert error["description"].startswith("description：") and "UTF-8" in error["description"]
    assert not Request.objects.exists()


def test_a_utf8_form_is_filed_as_typed(hotline: Any) -> None:
    response = Client().post(URL, body(hotline, "全楼停水一天了".encode()), content_type=FORM)
    assert response.status_code == 201, response.content
    assert Request.objects.get().content == "全楼停水一天了"


def test_status_is_read_whatever_its_case(hotline: Any) -> None:
    response = Client().get("/open311/v2/requests.json", {"status": "OPEN,Closed"})
    assert response.status_code == 200, response.content


def test_a_form_in_another_charset_is_refused_naming_it(hotline: Any) -> None:
    """Django reads forms in UTF-8 only; a form that says GBK is told so, not a bare 400."""
    sent = body(hotline, "全楼停水一天了".encode("gbk"))
    response = Client().post(URL, sent, content_type=f"{FORM}; charset=GBK")
    assert response.status_code == 400
    [error] = response.json()
    assert error["description"] == "Content-Type：表单须用 UTF-8 编码，不能是 GBK"
    assert not Request.objects.exists()


def test_a_gbk_json_body_that_says_so_is_filed_as_typed(hotline: Any) -> None:
    _, key = api_token_create(actor=None, system=True, user=hotline.city.olivia, name="Open311")
    fields = {
        "api_key": key,
        "service_code": hotline.water_outage.code,
        "lat": "31.575",
        "long": "120.305",
        "description": "全楼停水一天了",
    }
    text = json.dumps(fields, ensure_ascii=False)  # the test client encodes it by the declared charset
    response = Client().post(URL, text, content_type="application/json; charset=GBK")
    assert response.status_code == 201, response.content
    assert Request.objects.get().content == "全楼停水一天了"
