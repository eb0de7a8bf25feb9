"""A search of requests by phone is audited and limited, in the API and on the ledger page."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts.services import api_token_create
from civicgrid.core.models import AuditLog
from civicgrid.requests import ledger, services

pytestmark = pytest.mark.django_db

API = "/api/v1/requests/"
LEDGER = "/requests/ledger/"
PHONE = "13900001111"


@pytest.fixture
def water(hotline: Any) -> Any:
    data = hotline.new(category=hotline.water_outage, title="全楼停水", requester_phone=PHONE)
    return services.request_create(actor=hotline.city.olivia, data=data)


def api_client(user: Any) -> tuple[Client, dict[str, str]]:
    _, token = api_token_create(actor=None, system=True, user=user, name="测试")
    return Client(), {"Authorization": f"Bearer {token}"}


def searches() -> list[AuditLog]:
    return list(AuditLog.objects.filter(verb=ledger.PHONE_SEARCHED).order_by("id"))


def test_a_phone_search_writes_an_audit_row_with_the_phone_masked(hotline: Any, water: Any) -> None:
    client, headers = api_client(hotline.city.olivia)
    response = client.get(API, {"phone": "139-0000-1111"}, headers=headers)
    assert response.status_code == 200 and response.json()["count"] == 1
    [row] = searches()
    assert row.actor_id == hotline.city.olivia.pk
    assert row.after == {"phone": "139****1111", "hits": 1}
    assert PHONE not in str(row.after)
    assert client.get(API, {"q": "停水"}, headers=headers).status_code == 200  # no phone: no row
    assert len(searches()) == 1


def test_past_the_budget_a_phone_search_is_refused_and_writes_nothing(
    hotline: Any, water: Any, settings: Any
) -> None:
    settings.REGISTRY_PII_SEARCH_LIMIT = 3
    client, headers = api_client(hotline.city.olivia)
    for _ in range(3):
        assert client.get(API, {"phone": PHONE}, headers=headers).status_code == 200
    response = client.get(API, {"phone": PHONE}, headers=headers)
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited" and "3次" in response.json()["message"]
    assert int(response["Retry-After"]) > 0
    assert len(searches()) == 3
    assert client.get(API, {"q": "停水"}, headers=headers).status_code == 200  # other filters still work
    other, other_headers = api_client(hotline.city.dave)  # a budget per user
    assert other.get(API, {"phone": PHONE}, headers=other_headers).status_code == 200


def test_the_ledger_page_counts_against_the_same_budget(hotline: Any, water: Any, settings: Any) -> None:
    settings.REGISTRY_PII_SEARCH_LIMIT = 2
    client = Client()
    client.force_login(hotline.city.dave)
    assert client.get(LEDGER, {"phone": PHONE}).status_code == 200
    [row] = searches()
    assert row.actor_id == hotline.city.dave.pk and row.after is not None and row.after["hits"] == 1
    _, headers = api_client(hotline.city.dave)
    assert Client().get(API, {"phone": PHONE}, headers=headers).status_code == 200
    refused = client.get(LEDGER, {"phone": PHONE})
    assert refused.status_code == 422 and "查询过于频繁" in refused.content.decode()
    assert len(searches()) == 2
