"""Every change of a request's status is an update: the feed and ``?extensions=true`` end on
the status requests.json gives, also after a return is asked for, approved or refused."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.requests import services
from civicgrid.requests.models import Request

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


def views(number: str, key: str) -> tuple[str, list[str], list[str]]:
    """requests.json's status, and the statuses of the feed's and the extension's updates."""
    headers = {"Authorization": f"Bearer {key}"}
    client = Client()
    [row] = client.get(f"{BASE}/requests.json", {"service_request_id": number}, headers=headers).json()
    feed = client.get(f"{BASE}/servicerequestupdates.json", headers=headers).json()
    [detail] = client.get(f"{BASE}/requests/{number}.json", {"extensions": "true"}, headers=headers).json()
    return (
        row["status_notes"],
        [u["external_status_code"] for u in feed if u["service_request_id"] == number],
        [u["external_status_code"] for u in detail["updates"]],
    )


@pytest.mark.parametrize("approve", [True, False])
def test_a_return_is_an_update_and_the_feed_ends_on_the_status(
    hotline: Any, api_key: str, approve: bool
) -> None:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new(category=hotline.noise))
    services.request_sign(actor=hotline.hank, request=request)
    services.request_return(actor=hotline.hank, request=request, reason="不属于本街道")
    request.refresh_from_db()
    services.request_return_decide(
        actor=hotline.city.olivia, request=request, approve=approve, note="请继续办理"
    )
    request = Request.objects.get(pk=request.pk)
    notes, feed, extension = views(request.number, api_key)
    assert feed == extension
    assert feed[-2:] == ["return_pending", request.status]
    assert feed[-1] == ("received" if approve else "signed")
    assert notes.startswith("已受理" if approve else "已签收")


def test_not_ours_is_an_update_too(hotline: Any, api_key: str) -> None:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new(category=hotline.noise))
    services.request_return(actor=hotline.hank, request=request, reason="非本单位职责", not_ours=True)
    _, feed, _ = views(request.number, api_key)
    assert feed[-1] == "return_pending" == Request.objects.get(pk=request.pk).status
