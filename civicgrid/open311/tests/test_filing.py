"""Filing through Open311 refuses what does not fit, never cuts it; answers stay Open311's."""

import json
from typing import Any

import pytest
from django.test import Client

from civicgrid.core.models import AuditLog
from civicgrid.requests.models import Request

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


def fields(api_key: str, **kw: str) -> dict[str, str]:
    return {
        "api_key": api_key,
        "service_code": "030101",
        "lat": "31.575",
        "long": "120.305",
        "description": "胜利门1号楼全楼停水一天了",
        "first_name": "三",
        "last_name": "张",
        **kw,
    }


def refused(response: Any, field: str) -> None:
    assert response.status_code == 400, response.content
    rows = response.json()
    assert all(row["code"] == 400 for row in rows)
    assert any(row["description"].startswith(f"{field}：") for row in rows), rows


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"first_name": "名" * 100, "last_name": "姓" * 100}, "last_name"),
        ({"first_name": "名" * 45, "last_name": "欧阳" * 5}, "first_name"),
        ({"address_string": "长" * 10_000, "lat": "", "long": ""}, "address_string"),
        ({"device_id": "d" * 1000}, "device_id"),
        ({"description": "水" * 5001}, "description"),
    ],
)
def test_a_field_longer_than_its_column_is_refused_and_nothing_is_filed(
    hotline: Any, api_key: str, overrides: dict[str, str], field: str
) -> None:
    audits = AuditLog.objects.count()
    refused(Client().post(f"{BASE}/requests.json", fields(api_key, **overrides)), field)
    body = json.dumps(fields(api_key, **overrides))
    refused(Client().post(f"{BASE}/requests.json", body, "application/json"), field)
    assert not Request.objects.exists()
    assert AuditLog.objects.count() == audits


def test_fields_at_their_limits_are_kept_whole(hotline: Any, api_key: str) -> None:
    overrides = {
        "first_name": "名" * 30,
        "last_name": "姓" * 20,
        "address_string": "址" * 255,
        "device_id": "d" * 64,
    }
    response = Client().post(f"{BASE}/requests.json", fields(api_key, **overrides))
    assert response.status_code == 201, response.content
    request = Request.objects.get()
    assert request.address == "址" * 255 and request.external_id == "d" * 64
    assert request.requester_name_masked.startswith("姓")  # the family name comes first


@pytest.mark.parametrize(
    "value", ["1e400", "-1e400", "nan", "NaN", "inf", "-Infinity", "3_1.5", "1" * 5000, "0x1f"]
)
@pytest.mark.parametrize("name", ["lat", "long"])
def test_absurd_coordinates_are_refused_naming_the_field(
    hotline: Any, api_key: str, name: str, value: str
) -> None:
    refused(Client().post(f"{BASE}/requests.json", fields(api_key, **{name: value})), name)
    assert not Request.objects.exists()


def test_absurd_json_numbers_and_nested_values_are_refused(hotline: Any, api_key: str) -> None:
    template = '{"api_key": "%s", "service_code": "030101", "lat": %s, "long": 120.3, "description": "x"}'
    for raw in ("1e400", "-1e400", "[31.5]", '{"v": 31.5}'):
        response = Client().post(f"{BASE}/requests.json", template % (api_key, raw), "application/json")
        refused(response, "lat")
    assert not Request.objects.exists()


def test_xml_and_wrong_methods_answer_in_open311_errors_not_csrf(hotline: Any, api_key: str) -> None:
    client = Client(enforce_csrf_checks=True)  # a program sends no CSRF cookie
    missing = client.get(f"{BASE}/requests/20260101-000001.xml")
    assert missing.status_code == 404 and b"<errors><error><code>404</code>" in missing.content
    for path in ("services.json", "discovery.json", "servicerequestupdates.json"):
        response = client.post(f"{BASE}/{path}", {"api_key": api_key})
        assert response.status_code == 405, path
        assert response.json()[0]["code"] == 405 and "GET" in response.json()[0]["description"]
        assert "GET" in response["Allow"]
    assert client.delete(f"{BASE}/requests.json").status_code == 405
    assert not Request.objects.exists()
    filed = client.post(f"{BASE}/requests.json", fields(api_key))
    assert filed.status_code == 201, filed.content
    assert client.head(f"{BASE}/services.json").status_code == 200
