"""Only ``Authorization: Bearer`` carries a key: another scheme (a proxy's Basic) is not ours
and is ignored, so a key in the body still files; an empty ``api_key=`` in the URL is no key."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.open311.tests.conftest import filing_fields, on_site
from civicgrid.requests import services
from civicgrid.requests.models import Request

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
BASIC = {"Authorization": "Basic dXNlcjpwYXNz"}


def test_a_basic_header_does_not_block_the_body_key(hotline: Any, api_key: str) -> None:
    response = Client().post(
        f"{BASE}/requests.json",
        filing_fields(api_key),
        headers=BASIC,
    )
    assert response.status_code == 201, response.content
    assert Request.objects.count() == 1


def test_a_basic_header_reads_as_the_public(hotline: Any) -> None:
    on_site(hotline.lift)
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    rows = Client().get(f"{BASE}/requests.json", headers=BASIC).json()
    assert [r["service_request_id"] for r in rows] == [request.number]
    assert rows[0]["description"] == ""  # the public view


def test_an_empty_api_key_in_the_query_string_is_ignored(hotline: Any, api_key: str) -> None:
    client = Client()
    ignored = client.get(f"{BASE}/servicerequestupdates.json?api_key=&start_date=2026-01-01T00:00:00Z")
    assert ignored.status_code == 200, ignored.content
    keyed = client.get(
        f"{BASE}/requests.json?api_key=",
        headers={"Authorization": f"Bearer {api_key}"},
    )
    assert keyed.status_code == 200, keyed.content
    refused = client.get(f"{BASE}/requests.json", {"api_key": api_key})
    assert refused.status_code == 400 and refused.json()[0]["description"].startswith("api_key：")
