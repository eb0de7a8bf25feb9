"""Found by an outside tester: the overdue scan's automatic 督办 ("办理超期，自动督办") was not
counted, so a leader's 督办 after it was saved as round 1 and the unit got 【督办】, not 【第2次督办】."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.notify.models import Notification
from civicgrid.requests import services
from civicgrid.requests.constants import Action
from civicgrid.requests.models import Request, RequestEvent
from civicgrid.requests.services.handling import supervisions
from civicgrid.requests.services.warnings import deadline_scan

pytestmark = pytest.mark.django_db


def _overdue_and_auto_supervised(hotline: Any) -> Request:
    request = services.request_create(
        actor=hotline.city.olivia, data=hotline.new(category=hotline.street_vending)
    )
    assert request.dispatched_at is not None
    deadline_scan(now=request.dispatched_at + timedelta(hours=5))  # response and resolution red
    request.refresh_from_db()
    assert request.supervised
    auto = RequestEvent.objects.get(request=request, action=Action.WARN, data__supervised=True)
    assert "自动督办" in auto.note
    # The scan ran at a time to come; its row goes back to now, before what the test does next.
    RequestEvent.objects.filter(pk=auto.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    return request


def test_a_leaders_supervision_after_the_automatic_one_is_the_second(client: Client, hotline: Any) -> None:
    request = _overdue_and_auto_supervised(hotline)
    assert supervisions(request).count() == 1
    client.force_login(hotline.city.dave)
    url = f"/requests/{request.pk}/act/supervise/"
    form = client.get(url).content.decode()
    assert "该诉求已督办 1 次" in form and "自动督办" in form and "本次为第 2 次督办" in form
    response = client.post(url, {"note": "请今天内报结果。", "version": request.version})
    assert response.status_code == 302
    event = RequestEvent.objects.get(request=request, action=Action.SUPERVISE)
    assert event.data["round"] == 2
    sms = Notification.objects.get(dedupe_key__startswith=f"supervise:{event.pk}:")  # dora: nobody reachable
    assert sms.body.startswith("【第2次督办】") and sms.subject.startswith("第2次督办")
    request.refresh_from_db()
    again = client.get(url).content.decode()
    assert "该诉求已督办 2 次" in again and "请今天内报结果。本次为第 3 次督办" in again
    assert "。。" not in again
