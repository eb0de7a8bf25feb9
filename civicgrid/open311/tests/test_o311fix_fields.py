"""Every field GeoReport v2 lets a client send is kept or refused naming it: none is taken
(201) and dropped."""

import json
from typing import Any

import pytest
from django.test import Client

from civicgrid.core.models import AuditLog
from civicgrid.open311.tests.conftest import filing_fields
from civicgrid.requests.models import Request

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
PHOTO = "https://fms.example.org/photo/4711.full.jpeg"


def descriptions(response: Any) -> list[str]:
    assert response.status_code == 400, response.content
    return [row["description"] for row in response.json()]


def test_media_url_is_kept_as_a_link_in_the_content(hotline: Any, api_key: str) -> None:
    form = Client().post(f"{BASE}/requests.json", filing_fields(api_key, media_url=PHOTO))
    assert form.status_code == 201, form.content
    as_json = Client().post(
        f"{BASE}/requests.json", json.dumps(filing_fields(api_key, media_url=PHOTO)), "application/json"
    )
    assert as_json.status_code == 201, as_json.content
    for request in Request.objects.all():
        assert request.content == f"胜利门1号楼全楼停水一天了\n\n图片链接：{PHOTO}"
        assert request.title == "胜利门1号楼全楼停水一天了"
    [row] = (
        Client()
        .get(
            f"{BASE}/requests/{form.json()[0]['service_request_id']}.json",
            headers={"Authorization": f"Bearer {api_key}"},
        )
        .json()
    )
    assert PHOTO in row["description"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "zhang@"}, "email"),
        ({"email": "a" * 250 + "@example.com"}, "email"),
        ({"address_id": "A-4711"}, "address_id"),
        ({"attribute[where]": "路口"}, "attribute[where]"),
        ({"media_url": "ftp://example.org/a.jpg"}, "media_url"),
        ({"media_url": "https://example.org/" + "a" * 600}, "media_url"),
        ({"media_url": PHOTO, "description": "水" * 4990}, "description"),
    ],
)
def test_a_field_that_cannot_be_kept_is_refused_naming_it(
    hotline: Any, api_key: str, overrides: dict[str, str], field: str
) -> None:
    audits = AuditLog.objects.count()
    for response in (
        Client().post(f"{BASE}/requests.json", filing_fields(api_key, **overrides)),
        Client().post(
            f"{BASE}/requests.json", json.dumps(filing_fields(api_key, **overrides)), "application/json"
        ),
    ):
        assert any(d.startswith(f"{field}：") for d in descriptions(response)), response.content
    assert not Request.objects.exists()
    assert AuditLog.objects.count() == audits


def test_empty_unkept_fields_and_documented_ignored_ones_file(hotline: Any, api_key: str) -> None:
    # jurisdiction_id: this server's own (another is 404: test_apifix_jurisdiction)
    code = hotline.city.district.code
    extra = {"email": "", "address_id": "", "account_id": "fms-user-9", "jurisdiction_id": code}
    response = Client().post(f"{BASE}/requests.json", filing_fields(api_key, device_id="fms-4711", **extra))
    assert response.status_code == 201, response.content
    assert Request.objects.get().external_id == "fms-4711"


def test_an_email_is_kept_protected_like_the_phone_and_revealed_with_an_audit_row(
    hotline: Any, api_key: str
) -> None:
    from civicgrid.core import crypto
    from civicgrid.requests import web_helpers

    response = Client().post(f"{BASE}/requests.json", filing_fields(api_key, email="zhangwei@example.cn"))
    assert response.status_code == 201, response.content
    request = Request.objects.get()
    assert request.requester_email_masked == "z***@example.cn"
    assert "zhangwei" not in request.requester_email_enc
    assert crypto.decrypt(request.requester_email_enc) == "zhangwei@example.cn"
    [row] = (
        Client()
        .get(
            f"{BASE}/requests/{response.json()[0]['service_request_id']}.json",
            headers={"Authorization": f"Bearer {api_key}"},
        )
        .json()
    )
    assert "zhangwei" not in json.dumps(row, ensure_ascii=False)
    operator = hotline.city.olivia
    clear = web_helpers.requester_pii_reveal(actor=operator, request=request)
    assert clear["email"] == "zhangwei@example.cn"
    audit = AuditLog.objects.filter(verb="requests.requester_pii_viewed").latest("id")
    assert "requester_email" in (audit.after or {})["fields"]
