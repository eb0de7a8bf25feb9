"""GeoReport v2's XML (FixMyStreet's client reads and files through the ``.xml`` addresses)."""

from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from civicgrid.requests.models import Request

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


def xml(response: Any, status: int = 200) -> ET.Element:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)  # noqa: S314 (our own answer, not untrusted input)


def test_services_requests_and_updates_in_xml(hotline: Any, api_key: str) -> None:
    client = Client()
    headers = {"Authorization": f"Bearer {api_key}"}
    services_root = xml(client.get(f"{BASE}/services.xml"))
    assert services_root.tag == "services"
    codes = [s.findtext("service_code") for s in services_root.findall("service")]
    assert hotline.water_outage.code in codes
    definition = xml(client.get(f"{BASE}/services/{hotline.water_outage.code}.xml"))
    assert definition.tag == "service_definition" and definition.find("attributes") is not None

    filed = xml(
        client.post(
            f"{BASE}/requests.xml",
            {
                "api_key": api_key,
                "service_code": hotline.water_outage.code,
                "lat": "31.575",
                "long": "120.305",
                "description": "胜利门1号楼全楼停水一天了",
                "phone": "13812345678",
            },
        ),
        201,
    )
    assert filed.tag == "service_requests"
    number = filed.findtext("request/service_request_id")
    assert number == Request.objects.get().number
    status = Request.objects.get().status

    [one] = xml(client.get(f"{BASE}/requests/{number}.xml", {"extensions": "true"}, headers=headers))
    assert one.tag == "request" and one.findtext("description") == "胜利门1号楼全楼停水一天了"
    assert one.findtext("status") == "open" and one.findtext("address_id") == ""
    assert [u.findtext("external_status_code") for u in one.findall("updates/update")][-1] == status
    listed = xml(client.get(f"{BASE}/requests.xml", {"service_request_id": number}, headers=headers))
    assert [r.findtext("service_request_id") for r in listed.findall("request")] == [number]

    # FixMyStreet's poll: an empty api_key in the URL, the key in the header
    feed = xml(
        client.get(
            f"{BASE}/servicerequestupdates.xml?api_key=&start_date=2000-01-01T00:00:00Z", headers=headers
        )
    )
    assert feed.tag == "service_requests_updates"
    mine = [u for u in feed.findall("request_update") if u.findtext("service_request_id") == number]
    assert [u.findtext("external_status_code") for u in mine][-1] == status
    assert all(u.findtext("update_id") for u in mine)
    formats = [f.text for f in xml(client.get(f"{BASE}/discovery.xml")).iter("format")]
    assert formats == ["application/json", "text/xml"]


def test_errors_in_xml(hotline: Any, api_key: str) -> None:
    client = Client()
    missing = xml(client.get(f"{BASE}/requests/20260101-000001.xml"), 404)
    assert missing.tag == "errors" and missing.findtext("error/code") == "404"
    refused = xml(client.post(f"{BASE}/requests.xml", {"api_key": api_key, "lat": "x"}), 400)
    descriptions = [e.findtext("description") or "" for e in refused.findall("error")]
    assert any(d.startswith("lat：") for d in descriptions)
    wrong = xml(client.delete(f"{BASE}/requests.xml"), 405)
    assert wrong.findtext("error/code") == "405"
    assert not Request.objects.exists()
