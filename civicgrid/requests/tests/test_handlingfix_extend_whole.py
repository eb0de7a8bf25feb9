"""Found by an outside tester: 申请延期 took amount=2.5, and once approved the deadline moved
to 21:32 at night (half a working day counted as 12 wall-clock hours). An extension is whole
working days or hours: the form, the service and the API refuse a fraction, naming the field."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts.services import api_token_create
from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.requests import services
from civicgrid.requests.models import Approval, Request, RequestEvent

pytestmark = pytest.mark.django_db

WHOLE_DAYS = "延长时长应为整数（工作日），不能带小数"


def signed(hotline: Any) -> Request:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())  # a lift: 工作日
    return services.request_sign(actor=hotline.hank, request=request)


def snapshot(request: Request) -> tuple[Any, ...]:
    request.refresh_from_db()
    events = RequestEvent.objects.filter(request=request).count()
    return request.version, events, AuditLog.objects.count(), Approval.objects.count()


@pytest.mark.parametrize("amount", [2.5, 1.25, 89.9])
def test_the_service_refuses_a_fraction(hotline: Any, amount: float) -> None:
    request = signed(hotline)
    before = snapshot(request)
    with pytest.raises(ValidationError) as refused:
        services.request_extend(actor=hotline.hank, request=request, amount=amount, reason="等待配件")
    assert refused.value.errors == {"amount": [WHOLE_DAYS]}
    assert snapshot(request) == before


def test_the_hour_clock_says_its_unit(hotline: Any) -> None:
    request = services.request_create(
        actor=hotline.city.olivia, data=hotline.new(category=hotline.street_vending)
    )
    request = services.request_sign(actor=hotline.dora, request=request)
    with pytest.raises(ValidationError) as refused:
        services.request_extend(actor=hotline.dora, request=request, amount=1.5, reason="需要协调")
    assert refused.value.errors == {"amount": ["延长时长应为整数（小时（自然时）），不能带小数"]}


def test_a_whole_number_written_as_a_float_is_fine(hotline: Any) -> None:
    request = signed(hotline)
    approval = services.request_extend(actor=hotline.hank, request=request, amount=2.0, reason="等待配件")
    assert approval.extend_amount == 2


def test_the_form_refuses_a_fraction_with_the_field_named(client: Client, hotline: Any) -> None:
    request = signed(hotline)
    client.force_login(hotline.hank)
    form = client.get(f"/requests/{request.pk}/act/extend_request/").content.decode()
    assert 'step="1"' in form and 'step="any"' not in form
    before = snapshot(request)
    response = client.post(
        f"/requests/{request.pk}/act/extend_request/",
        {"amount": "2.5", "reason": "等待配件", "version": request.version},
    )
    assert response.status_code == 422
    assert WHOLE_DAYS in response.content.decode()
    assert snapshot(request) == before
    ok = client.post(
        f"/requests/{request.pk}/act/extend_request/",
        {"amount": "2", "reason": "等待配件", "version": request.version},
    )
    assert ok.status_code == 302
    assert Approval.objects.get(request=request).extend_amount == 2


def test_the_api_refuses_a_fraction_with_the_field_named(hotline: Any) -> None:
    request = signed(hotline)
    _, token = api_token_create(actor=None, system=True, user=hotline.hank, name="测试")
    before = snapshot(request)
    response = Client().post(
        f"/api/v1/requests/{request.pk}/extend",
        {"amount": 2.5, "reason": "等待配件"},
        "application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == {"amount": [WHOLE_DAYS]}
    assert snapshot(request) == before
