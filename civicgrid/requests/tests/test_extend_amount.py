"""Extension amounts (申请延期): at least one unit of the request's clock, and the unit shown.

The amount counts in the unit of the request's resolution clock (the category's 办理时限单位:
工作日 for a lift, 小时（自然时） for street vending); an approved extension moves the deadline
by that much (deadlines.extend). 0.0001 of it is no extension.
"""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts.services import api_token_create
from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.requests import services
from civicgrid.requests.models import Approval, Request, RequestEvent

pytestmark = pytest.mark.django_db


def snapshot(request: Request) -> tuple[Any, ...]:
    request.refresh_from_db()
    events = RequestEvent.objects.filter(request=request).count()
    return request.status, request.version, events, AuditLog.objects.count(), Approval.objects.count()


def signed(hotline: Any, **kw: Any) -> Request:
    """A request signed for by its lead unit (hank's street for a lift, dora's 城管局 for vending)."""
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new(**kw))
    handler = hotline.dora if request.lead_unit_id == hotline.chengguan.pk else hotline.hank
    return services.request_sign(actor=handler, request=request)


@pytest.mark.parametrize("amount", [0.0001, 0.5, 0, -1, 91, float("nan")])
def test_an_extension_outside_one_to_ninety_units_is_refused_and_changes_nothing(
    hotline: Any, amount: float
) -> None:
    request = signed(hotline, category=hotline.street_vending)  # clock in 小时（自然时）
    before = snapshot(request)
    with pytest.raises(ValidationError) as refused:
        services.request_extend(actor=hotline.dora, request=request, amount=amount, reason="需要协调")
    assert list(refused.value.errors) == ["amount"]
    assert refused.value.errors["amount"] == ["延长时长应为1至90小时（自然时）"]
    assert snapshot(request) == before


def test_one_unit_is_enough(hotline: Any) -> None:
    request = signed(hotline)  # a lift: 工作日
    approval = services.request_extend(actor=hotline.hank, request=request, amount=1, reason="等待配件")
    assert approval.extend_amount == 1
    event = RequestEvent.objects.filter(request=request).latest("id")
    assert event.data == {"approval": approval.pk, "amount": 1, "unit": "working_days"}


def test_the_api_refuses_almost_zero_with_the_field_named(hotline: Any) -> None:
    request = signed(hotline, category=hotline.street_vending)
    _, token = api_token_create(actor=None, system=True, user=hotline.dora, name="测试")
    before = snapshot(request)
    response = Client().post(
        f"/api/v1/requests/{request.pk}/extend",
        {"amount": 0.0001, "reason": "需要协调"},
        "application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == {"amount": ["延长时长应为1至90小时（自然时）"]}
    assert snapshot(request) == before


def test_the_unit_is_shown_beside_the_amount_everywhere(client: Client, hotline: Any) -> None:
    request = signed(hotline)  # a lift: 工作日
    client.force_login(hotline.hank)
    form = client.get(f"/requests/{request.pk}/act/extend_request/").content.decode()
    assert "延长时长（工作日）" in form
    assert "与办理时限相同" not in form  # no separate hint under the reason box

    services.request_extend(actor=hotline.hank, request=request, amount=2, reason="需要协调")
    html = client.get(f"/requests/{request.pk}/").content.decode()
    assert "延期（2 工作日）" in html  # the approvals card
    assert "延长 2 工作日" in html  # the timeline

    client.force_login(hotline.city.olivia)
    assert "2 工作日" in client.get("/requests/triage/").content.decode()


def test_a_request_without_a_clock_unit_extends_in_working_days_and_says_so(
    client: Client, hotline: Any
) -> None:
    """Imported or older rows may have no clock unit; deadlines.extend counts them in 工作日."""
    request = signed(hotline)
    Request.objects.filter(pk=request.pk).update(clock_unit="")
    request.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.request_extend(actor=hotline.hank, request=request, amount=0.5, reason="需要协调")
    assert refused.value.errors["amount"] == ["延长时长应为1至90工作日"]
    services.request_extend(actor=hotline.hank, request=request, amount=3, reason="需要协调")
    client.force_login(hotline.city.olivia)
    assert "3 工作日" in client.get("/requests/triage/").content.decode()
    assert "延期（3 工作日）" in client.get(f"/requests/{request.pk}/").content.decode()


def test_an_approved_extension_counts_in_the_unit_it_was_asked_in(hotline: Any) -> None:
    """Reviewer's finding: the category (and so the clock's unit) may change between asking
    and approving; 24 asked in hours must not become 24 working days."""
    request = signed(hotline, category=hotline.street_vending)  # 小时（自然时）
    approval = services.request_extend(actor=hotline.dora, request=request, amount=24, reason="需要协调")
    assert approval.extend_unit == "hours"
    due = Request.objects.get(pk=request.pk).due_resolution_at
    Request.objects.filter(pk=request.pk).update(clock_unit="working_days")  # reclassified meanwhile
    request.refresh_from_db()
    assert approval.extend_label() == "24 小时（自然时）"
    decided = services.request_extend_decide(actor=hotline.city.olivia, request=request, approve=True)
    assert due is not None and decided.due_resolution_at == due + timedelta(hours=24)
