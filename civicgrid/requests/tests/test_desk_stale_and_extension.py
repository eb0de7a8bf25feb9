"""Found by an outside tester (handler and operator):

- a handler's tab left open on 签收 while the operator 改派 the request elsewhere answered
  确认签收 with 您无权… instead of the conflict two tabs of the same handler get; someone who
  cannot read the request must still learn nothing from a stale version;
- 驳回延期 was accepted without a reason, so the unit never learnt why.
"""

from typing import Any

import pytest
from django.test import Client

from civicgrid.core.errors import PermissionDenied, ValidationError
from civicgrid.requests import services
from civicgrid.requests.constants import Action, ApprovalKind, ApprovalState, Status
from civicgrid.requests.models import Approval, Request, RequestEvent
from civicgrid.requests.tests.test_api import Caller

pytestmark = pytest.mark.django_db


def _reassigned_away(hotline: Any) -> tuple[Request, int]:
    """A request hank's unit had, moved to 通江街道 since hank's page was loaded."""
    c = hotline.city
    request = services.request_create(actor=c.olivia, data=hotline.new())
    assert request.lead_unit == hotline.sub_a_unit
    seen = request.version
    services.request_reassign(
        actor=c.olivia, request=request, lead_unit=hotline.sub_b_unit, reason="属通江街道辖区"
    )
    return Request.objects.get(pk=request.pk), seen


def test_a_stale_page_after_a_reassign_is_refused_to_the_old_unit(hotline: Any) -> None:
    """Moved away before signing, hank's unit no longer reads the request (selectors.unit_q):
    refused as anyone who cannot read it, stale page or not (test_visibfix_units)."""
    request, seen = _reassigned_away(hotline)
    signs = RequestEvent.objects.filter(request=request, action=Action.SIGN).count()
    for version in (seen, request.version):
        with pytest.raises(PermissionDenied):
            services.request_sign(actor=hotline.hank, request=request, expected_version=version)
    request.refresh_from_db()
    assert request.status == Status.DISPATCHED and request.lead_unit == hotline.sub_b_unit
    assert RequestEvent.objects.filter(request=request, action=Action.SIGN).count() == signs


def test_someone_who_cannot_read_the_request_is_refused_whatever_the_version(hotline: Any) -> None:
    request, seen = _reassigned_away(hotline)
    for version in (seen, request.version, request.version + 7, None):
        with pytest.raises(PermissionDenied) as refused:
            services.request_sign(actor=hotline.walt, request=request, expected_version=version)
        assert "已被他人处理" not in refused.value.message and "状态" not in refused.value.message


def test_the_stale_sign_page_shows_the_conflict(client: Client, hotline: Any) -> None:
    request, seen = _reassigned_away(hotline)
    client.force_login(hotline.hank)
    response = client.post(f"/requests/{request.pk}/act/sign/", {"version": seen})
    page = response.content.decode()
    assert response.status_code == 404 and "该诉求刚刚已由周静改派" not in page  # no longer its request
    client.force_login(hotline.walt)
    assert client.post(f"/requests/{request.pk}/act/sign/", {"version": seen}).status_code == 404


def _extension_asked(hotline: Any) -> Request:
    c = hotline.city
    request = services.request_create(actor=c.olivia, data=hotline.new(category=hotline.street_vending))
    services.request_sign(actor=hotline.dora, request=request)
    services.request_extend(actor=hotline.dora, request=request, amount=2, reason="需协调摊主")
    return Request.objects.get(pk=request.pk)


@pytest.mark.parametrize("note", ["", "   "])
def test_rejecting_an_extension_needs_a_reason(hotline: Any, note: str) -> None:
    request = _extension_asked(hotline)
    due, version = request.due_resolution_at, request.version
    with pytest.raises(ValidationError) as refused:
        services.request_extend_decide(actor=hotline.city.olivia, request=request, approve=False, note=note)
    assert refused.value.errors == {"note": ["驳回延期须说明理由"]}
    request.refresh_from_db()
    assert (request.version, request.due_resolution_at) == (version, due)
    assert Approval.objects.get(request=request, kind=ApprovalKind.EXTENSION).state == ApprovalState.PENDING
    assert not RequestEvent.objects.filter(request=request, action=Action.EXTEND_REJECT).exists()
    done = services.request_extend_decide(
        actor=hotline.city.olivia, request=request, approve=False, note=" 请按期办结 "
    )
    approval = Approval.objects.get(request=request, kind=ApprovalKind.EXTENSION)
    assert approval.state == ApprovalState.REJECTED and approval.decision_note == "请按期办结"
    assert done.events.get(action=Action.EXTEND_REJECT).note == "请按期办结"


def test_approving_an_extension_needs_no_reason(hotline: Any) -> None:
    request = _extension_asked(hotline)
    services.request_extend_decide(actor=hotline.city.olivia, request=request, approve=True)
    assert Approval.objects.get(request=request).state == ApprovalState.APPROVED


def test_the_reject_form_and_the_api_say_a_reason_is_needed(client: Client, hotline: Any) -> None:
    request = _extension_asked(hotline)
    client.force_login(hotline.city.olivia)
    response = client.post(
        f"/requests/{request.pk}/act/extend_reject/", {"note": "", "version": request.version}
    )
    assert response.status_code == 422 and "驳回延期须说明理由" in response.content.decode()
    refused = Caller(hotline.city.olivia).post(
        f"/{request.pk}/extend-decision", {"approve": False, "note": ""}
    )
    assert refused.status_code == 422 and "驳回延期须说明理由" in str(refused.json())
    assert Approval.objects.get(request=request).state == ApprovalState.PENDING
