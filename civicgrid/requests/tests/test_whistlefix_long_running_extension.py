"""挂账 withdraws a pending extension: the plan date replaces the resolution clock, so an
extension asked for before must not move it later (its approval used to push the plan date)."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from civicgrid.core.errors import CivicError
from civicgrid.requests import services
from civicgrid.requests.constants import ApprovalKind, ApprovalState, Status
from civicgrid.requests.models import Approval, Request, RequestEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(hotline: Any) -> Request:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    return services.request_sign(actor=hotline.hank, request=request)


def test_long_running_withdraws_a_pending_extension(hotline: Any, signed: Request) -> None:
    asked = services.request_extend(actor=hotline.hank, request=signed, amount=3, reason="等待配件")
    plan_until = timezone.localdate() + timedelta(days=60)
    services.request_long_running(
        actor=hotline.city.olivia, request=signed, plan="纳入年度改造计划", plan_until=plan_until
    )
    asked.refresh_from_db()
    assert asked.state == ApprovalState.WITHDRAWN
    assert "已挂账" in asked.decision_note
    row = RequestEvent.objects.get(request=signed, data__approval=asked.pk, data__withdrawn=True)
    assert "延期申请已撤回" in row.note
    signed.refresh_from_db()
    assert signed.status == Status.LONG_RUNNING
    plan_due = signed.due_resolution_at
    assert timezone.localtime(plan_due).date() == plan_until
    with pytest.raises(CivicError):
        services.request_extend_decide(actor=hotline.city.olivia, request=signed, approve=True)
    signed.refresh_from_db()
    assert signed.due_resolution_at == plan_due
    assert not Approval.objects.filter(
        request=signed, kind=ApprovalKind.EXTENSION, state=ApprovalState.PENDING
    ).exists()
