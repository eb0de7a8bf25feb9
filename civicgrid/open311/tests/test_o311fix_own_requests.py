"""A key sees the same requests in the list, one request and the update feed: those its
account may read and those it filed itself."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts.services import api_token_create
from civicgrid.open311.tests.conftest import on_site

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
CONTENT = "胜利门1号楼3单元502室楼道堆物，消防通道堵了"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize("public", [False, True])
def test_a_scoped_key_batch_polls_what_it_filed(hotline: Any, settings: Any, public: bool) -> None:
    settings.OPEN311_PUBLIC_VIEW = public
    if public:
        on_site(hotline.water_outage)  # listed publicly too: still in full for its filer
    # carol may take in requests; 胜利门 is outside her scope
    _, key = api_token_create(actor=None, system=True, user=hotline.city.carol, name="Open311 客户端")
    filed = Client().post(
        f"{BASE}/requests.json",
        {
            "api_key": key,
            "service_code": hotline.water_outage.code,
            "lat": "31.575123",
            "long": "120.305678",
            "description": CONTENT,
        },
    )
    assert filed.status_code == 201, filed.content
    number = filed.json()[0]["service_request_id"]
    client = Client()
    [one] = client.get(f"{BASE}/requests/{number}.json", headers=bearer(key)).json()
    batch = client.get(f"{BASE}/requests.json", {"service_request_id": number}, headers=bearer(key)).json()
    listed = client.get(f"{BASE}/requests.json", headers=bearer(key)).json()
    assert batch == [one] and one["description"] == CONTENT
    assert [r for r in listed if r["service_request_id"] == number] == [one]
    feed = client.get(f"{BASE}/servicerequestupdates.json", headers=bearer(key)).json()
    mine = [u for u in feed if u["service_request_id"] == number]
    assert mine and mine[0]["external_status_code"] == "received"
    [detailed] = client.get(
        f"{BASE}/requests/{number}.json", {"extensions": "true"}, headers=bearer(key)
    ).json()
    assert [u["update_id"] for u in detailed["updates"]] == [u["update_id"] for u in mine]
