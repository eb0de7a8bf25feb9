"""A date alone covers the whole day, local time (Asia/Shanghai): ``start_date`` from its first
moment, ``end_date`` to its last."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from civicgrid.requests import services
from civicgrid.requests.models import Request, RequestEvent

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("hour", [0, 15, 23])
def test_a_day_covers_all_of_it(hotline: Any, api_key: str, hour: int) -> None:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    moment = datetime(2026, 3, 5, hour, 30, tzinfo=SHANGHAI)
    Request.objects.filter(pk=request.pk).update(received_at=moment)
    RequestEvent.objects.filter(request=request).update(created_at=moment)
    headers = {"Authorization": f"Bearer {api_key}"}
    client = Client()
    day = {"start_date": "2026-03-05", "end_date": "2026-03-05"}
    listed = client.get(f"{BASE}/requests.json", day, headers=headers).json()
    assert [r["service_request_id"] for r in listed] == [request.number]
    feed = client.get(f"{BASE}/servicerequestupdates.json", day, headers=headers).json()
    assert {u["service_request_id"] for u in feed} == {request.number}
    before = {"start_date": "2026-03-04", "end_date": "2026-03-04"}
    assert client.get(f"{BASE}/requests.json", before, headers=headers).json() == []
    after = {"start_date": "2026-03-06", "end_date": "2026-03-06"}
    assert client.get(f"{BASE}/servicerequestupdates.json", after, headers=headers).json() == []
