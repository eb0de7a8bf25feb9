"""非本单位职责: a lead unit's claim that a request is not its business, told apart from an
ordinary return (退单) in the dispatcher's triage, on the request page and in the API."""

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from civicgrid.accounts.services import api_token_create
from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.requests import services
from civicgrid.requests.models import Approval, Request, RequestEvent

pytestmark = pytest.mark.django_db

TAG = '<span class="tag">非本单位职责</span>'


def snapshot(request: Request) -> tuple[Any, ...]:
    request.refresh_from_db()
    events = RequestEvent.objects.filter(request=request).count()
    return request.status, request.version, events, AuditLog.objects.count(), Approval.objects.count()


def test_triage_and_the_request_page_tell_not_ours_from_a_return(client: Client, hotline: Any) -> None:
    olivia, hank = hotline.city.olivia, hotline.hank
    claimed = services.request_create(actor=olivia, data=hotline.new())
    returned = services.request_create(actor=olivia, data=hotline.new(title="楼道灯不亮"))
    services.request_return(actor=hank, request=claimed, reason="该楼属于住建局直管", not_ours=True)
    services.request_return(actor=hank, request=returned, reason="地址不详，无法核实")
    client.force_login(olivia)
    html = client.get("/requests/triage/").content.decode()
    assert html.count(TAG) == 1
    assert html.index(TAG) < html.index("该楼属于住建局直管") < html.index("地址不详，无法核实")

    detail = client.get(f"/requests/{claimed.pk}/").content.decode()
    assert "退单（非本单位职责）" in detail  # the approvals card
    timeline = detail[detail.index('class="timeline"') :]
    assert "非本单位职责" in timeline and "该楼属于住建局直管" in timeline
    assert "非本单位职责" not in client.get(f"/requests/{returned.pk}/").content.decode()


def test_the_api_says_which_return_is_a_not_ours_claim(hotline: Any) -> None:
    claimed = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    services.request_return(actor=hotline.hank, request=claimed, reason="该楼属于住建局直管", not_ours=True)
    _, token = api_token_create(actor=None, system=True, user=hotline.city.olivia, name="测试")
    shown = Client().get(f"/api/v1/requests/{claimed.pk}", headers={"Authorization": f"Bearer {token}"})
    assert [(a["kind"], a["not_ours"]) for a in shown.json()["approvals"]] == [("return", True)]


def test_not_ours_without_a_reason_asks_for_it_by_the_field_label(client: Client, hotline: Any) -> None:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    before = snapshot(request)
    with pytest.raises(ValidationError) as refused:
        services.request_return(actor=hotline.hank, request=request, reason=" ", not_ours=True)
    assert refused.value.errors == {"reason": ["请填写不属于本单位职责的理由"]}
    client.force_login(hotline.hank)
    response = client.post(
        f"/requests/{request.pk}/act/not_ours/", {"version": request.version, "reason": ""}
    )
    html = response.content.decode()
    assert (
        response.status_code == 422
        and "请填写不属于本单位职责的理由" in html
        and "请填写退单理由" not in html
    )
    assert snapshot(request) == before


def test_the_migration_marks_earlier_not_ours_claims(hotline: Any) -> None:
    """Claims made before the field existed are found by their history row."""
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    approval = services.request_return(
        actor=hotline.hank, request=request, reason="属于物业职责", not_ours=True
    )
    other = services.request_create(actor=hotline.city.olivia, data=hotline.new(title="楼道灯不亮"))
    ordinary = services.request_return(actor=hotline.hank, request=other, reason="地址不详")
    Approval.objects.update(not_ours=False)
    migration = importlib.import_module("civicgrid.requests.migrations.0008_approval_not_ours")
    migration.mark_not_ours(apps, None)
    approval.refresh_from_db()
    ordinary.refresh_from_db()
    assert approval.not_ours and not ordinary.not_ours
