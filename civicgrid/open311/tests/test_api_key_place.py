"""Where Open311 takes ``api_key``: in the POST body (form or JSON, as GeoReport v2 passes it)
or an ``Authorization: Bearer`` header. One in the query string — which ends up in access
logs, proxies and browser history, and is a staff account's API token — is refused with a
400 in Open311's error format saying where to send it, and never authenticates."""

import json
from typing import Any

import pytest
from django.test import Client

from civicgrid.core.models import AuditLog
from civicgrid.open311.tests.test_audience import filed, key_of
from civicgrid.open311.tests.test_open311 import good_fields
from civicgrid.requests.models import Request

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
REFUSAL = [
    {
        "code": 400,
        "description": "api_key：不能放在网址中（会留在访问日志和浏览器历史里），"
        "请放在 POST 请求体中，或用请求头 Authorization: Bearer <api_key>",
    }
]


def test_a_key_in_the_query_string_of_a_read_is_refused_and_reads_nothing(hotline: Any) -> None:
    request = filed(hotline)
    bob_key = key_of(hotline.city.bob)  # in scope of the request: his key would show it in full
    for path in ("requests.json", f"requests/{request.number}.json", "servicerequestupdates.json"):
        response = Client().get(f"{BASE}/{path}", {"api_key": bob_key})
        assert response.status_code == 400, path
        assert response.json() == REFUSAL
        assert "消防通道" not in response.content.decode("utf-8")
        # Sent in the header, the same key reads in full.
        keyed = Client().get(f"{BASE}/{path}", headers={"Authorization": f"Bearer {bob_key}"})
        assert keyed.status_code == 200, path


def test_a_key_in_the_query_string_of_a_filing_is_refused_and_files_nothing(
    hotline: Any,
    api_key: str,
) -> None:
    audits = AuditLog.objects.count()
    body = good_fields("")
    del body["api_key"]
    for url, sent in (
        (f"{BASE}/requests.json?api_key={api_key}", body),  # only in the URL
        (f"{BASE}/requests.json?api_key={api_key}", good_fields(api_key)),  # in both: still refused
    ):
        response = Client().post(url, sent)
        assert response.status_code == 400 and response.json() == REFUSAL
        as_json = Client().post(url, json.dumps(sent), "application/json")
        assert as_json.status_code == 400 and as_json.json() == REFUSAL
    assert not Request.objects.exists() and AuditLog.objects.count() == audits


def test_a_key_in_the_body_or_the_authorization_header_files(hotline: Any, api_key: str) -> None:
    form = Client().post(f"{BASE}/requests.json", good_fields(api_key))
    assert form.status_code == 201, form.content
    as_json = Client().post(f"{BASE}/requests.json", json.dumps(good_fields(api_key)), "application/json")
    assert as_json.status_code == 201, as_json.content
    body = good_fields("")
    del body["api_key"]
    header = Client().post(f"{BASE}/requests.json", body, headers={"Authorization": f"Bearer {api_key}"})
    assert header.status_code == 201, header.content
    assert Request.objects.count() == 3


def test_an_authorization_header_without_a_scheme_or_key_is_refused(hotline: Any) -> None:
    # Another scheme's credentials (a proxy's Basic) are ignored: test_o311fix_auth_header.py
    for value in ("Bearer", "cg_token_without_scheme"):
        response = Client().get(f"{BASE}/requests.json", headers={"Authorization": value})
        assert response.status_code == 400
        assert response.json() == [{"code": 400, "description": "Authorization：请求头应为 Bearer <api_key>"}]
