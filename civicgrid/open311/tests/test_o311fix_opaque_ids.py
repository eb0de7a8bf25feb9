"""Open311's fields are text: a long run of digits is an opaque id (``device_id``,
``service_request_id``), or a phone number refused as one, never "数值超出范围"."""

import json
from typing import Any

import pytest
from django.test import Client

from civicgrid.core.inputs import TOO_LARGE
from civicgrid.open311.tests.conftest import filing_fields
from civicgrid.requests.models import Request

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
DEVICE = "86753090123456789012"


def test_a_long_numeric_device_id_is_kept_from_a_form_or_json(hotline: Any, api_key: str) -> None:
    form = Client().post(f"{BASE}/requests.json", filing_fields(api_key, device_id=DEVICE))
    assert form.status_code == 201, form.content
    body = json.dumps(filing_fields(api_key)).replace('"phone"', f'"device_id": {DEVICE}, "phone"')
    as_json = Client().post(f"{BASE}/requests.json", body, "application/json")
    assert as_json.status_code == 201, as_json.content
    assert [r.external_id for r in Request.objects.all()] == [DEVICE, DEVICE]


def test_a_long_numeric_request_id_is_just_not_found(hotline: Any, api_key: str) -> None:
    response = Client().get(
        f"{BASE}/requests.json",
        {"service_request_id": "12345678901234567890"},
        headers={"Authorization": f"Bearer {api_key}"},
    )
    assert response.status_code == 200, response.content
    assert response.json() == []


def test_a_phone_of_300_digits_gets_the_phones_message(hotline: Any, api_key: str) -> None:
    for response in (
        Client().post(f"{BASE}/requests.json", filing_fields(api_key, phone="1" * 300)),
        Client().post(
            f"{BASE}/requests.json", json.dumps(filing_fields(api_key, phone="1" * 300)), "application/json"
        ),
    ):
        assert response.status_code == 400, response.content
        [row] = response.json()
        assert row["description"].startswith("phone：") and str(TOO_LARGE) not in row["description"]
    assert not Request.objects.exists()
