"""Open311 filing refuses JSON true/false (kept as the text "True" before), and its error
descriptions name the field once (``lat：应为数字``, not ``lat：lat 应为数字``)."""

import json
from typing import Any

import pytest
from django.test import Client

from civicgrid.core.models import AuditLog
from civicgrid.requests.models import Request

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


def body(api_key: str, **kw: Any) -> dict[str, Any]:
    return {
        "api_key": api_key,
        "service_code": "030101",
        "lat": 31.575,
        "long": 120.305,
        "description": "胜利门1号楼全楼停水一天了",
        "first_name": "三",
        "last_name": "张",
        **kw,
    }


def descriptions(response: Any) -> list[str]:
    assert response.status_code == 400, response.content
    return [row["description"] for row in response.json()]


@pytest.mark.parametrize("field", ["first_name", "last_name", "description", "phone", "device_id", "lat"])
@pytest.mark.parametrize("value", [True, False])
def test_a_json_boolean_is_refused_naming_its_field(
    hotline: Any, api_key: str, field: str, value: bool
) -> None:
    audits = AuditLog.objects.count()
    sent = json.dumps(body(api_key, **{field: value}))
    response = Client().post(f"{BASE}/requests.json", sent, "application/json")
    assert descriptions(response) == [f"{field}：应为文本或数字"]
    assert not Request.objects.exists()
    assert AuditLog.objects.count() == audits


def test_numbers_and_null_are_still_taken(hotline: Any, api_key: str) -> None:
    sent = json.dumps(body(api_key, phone=13812345678, device_id=None))
    response = Client().post(f"{BASE}/requests.json", sent, "application/json")
    assert response.status_code == 201, response.content
    request = Request.objects.get()
    assert request.external_id == "" and request.requester_phone_masked.startswith("138")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "opened"}, "status：只能是 open 或 closed，不能是 opened"),
        ({"start_date": "yesterday"}, "start_date：应为 ISO 8601 时间，如 2026-01-31T08:00:00+08:00"),
        ({"end_date": "1800-01-01"}, "end_date：应在 1900 至 2999 年之间"),
        (
            {"start_date": "2026-02-01T00:00:00+08:00", "end_date": "2026-01-01T00:00:00+08:00"},
            "start_date：不能晚于 end_date",
        ),
        ({"service_code": ",".join(str(n) for n in range(101))}, "service_code：最多100个"),
    ],
)
def test_read_errors_name_the_field_once(
    hotline: Any, api_key: str, query: dict[str, str], expected: str
) -> None:
    response = Client().get(f"{BASE}/requests.json", query, headers={"Authorization": f"Bearer {api_key}"})
    assert descriptions(response) == [expected]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"lat": "north"}, "lat：应为数字"),
        ({"address_string": "长" * 256}, "address_string：最长255个字"),
        ({"device_id": "d" * 65}, "device_id：最长64个字"),
    ],
)
def test_filing_errors_name_the_field_once(
    hotline: Any, api_key: str, overrides: dict[str, str], expected: str
) -> None:
    response = Client().post(f"{BASE}/requests.json", body(api_key, **overrides))
    assert descriptions(response) == [expected]
    assert not Request.objects.exists()


def test_filing_is_not_idempotent_on_device_id(hotline: Any, api_key: str) -> None:
    """As docs/api.md says: device_id is kept as the external id, but it is no key."""
    numbers = []
    for _ in range(2):
        response = Client().post(f"{BASE}/requests.json", body(api_key, device_id="phone-42"))
        assert response.status_code == 201, response.content
        numbers.append(response.json()[0]["service_request_id"])
    assert numbers[0] != numbers[1]
    assert list(Request.objects.values_list("external_id", flat=True)) == ["phone-42", "phone-42"]
