"""Bulk sign-for answers an unreadable request as a missing one (no existence oracle)."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts.services import api_token_create
from civicgrid.core.models import AuditLog
from civicgrid.requests import services
from civicgrid.requests.constants import Status
from civicgrid.requests.models import Request

pytestmark = pytest.mark.django_db

URL = "/api/v1/requests/sign-bulk"


def bearer(user: Any) -> dict[str, str]:
    _, token = api_token_create(actor=None, system=True, user=user, name="测试")
    return {"Authorization": f"Bearer {token}"}


def sign_bulk(headers: dict[str, str], ids: list[int]) -> dict[int, dict[str, Any]]:
    response = Client().post(URL, {"ids": ids}, "application/json", headers=headers)
    assert response.status_code == 200, response.content
    return {row["id"]: row for row in response.json()}


def test_an_outsider_cannot_tell_an_unreadable_request_from_a_missing_one(hotline: Any) -> None:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())  # in 胜利门社区
    missing = request.pk + 100000
    carol = bearer(hotline.city.carol)  # 通江社区's worker
    audit_before = AuditLog.objects.count()
    results = sign_bulk(carol, [request.pk, missing])
    hidden, absent = results[request.pk], results[missing]
    assert {k: v for k, v in hidden.items() if k != "id"} == {k: v for k, v in absent.items() if k != "id"}
    assert hidden == {
        "id": request.pk,
        "ok": False,
        "number": "",
        "status": "",
        "message": "诉求不存在或您无权查看",
    }
    request.refresh_from_db()
    assert request.status == Status.DISPATCHED and AuditLog.objects.count() == audit_before


def test_a_readable_request_the_caller_may_not_sign_keeps_its_number_and_reason(hotline: Any) -> None:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    results = sign_bulk(bearer(hotline.city.bob), [request.pk])  # 胜利门社区's worker: reads, does not sign
    row = results[request.pk]
    assert row["ok"] is False and row["number"] == request.number and row["status"] == Status.DISPATCHED
    assert row["message"] == "您无权对该诉求执行「签收」"
    assert Request.objects.get(pk=request.pk).status == Status.DISPATCHED
