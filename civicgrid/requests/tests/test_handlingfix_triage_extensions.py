"""Triage's 延期待审 offers only extensions that can be decided now: not one whose request
waits for a return decision (退单待审: it comes back when the return is rejected, and is
withdrawn when it is approved), nor one stranded before replies withdrew it."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from civicgrid.requests import services
from civicgrid.requests.constants import ApprovalState
from civicgrid.requests.models import Approval, Request
from civicgrid.requests.tests.test_handlingfix_stranded_approvals import _not_ours, _return, asked

pytestmark = pytest.mark.django_db


def test_triage_lists_no_extension_it_cannot_decide(client: Client, hotline: Any) -> None:
    """A row stranded before the fix (the request replied, the extension still pending)."""
    request, approval = asked(hotline)
    services.request_reply(actor=hotline.hank, request=request, reply="电梯已修复")
    Approval.objects.filter(pk=approval.pk).update(state=ApprovalState.PENDING)
    client.force_login(hotline.city.olivia)
    assert "延期待审（0）" in client.get("/requests/triage/").content.decode()


@pytest.mark.parametrize("step", [_not_ours, _return])
def test_a_return_holds_the_extension_until_it_is_decided(
    client: Client, hotline: Any, step: Callable[[Any, Request], None]
) -> None:
    """While a return waits (退单待审) the extension cannot be decided: triage does not offer
    it; rejected, the unit keeps handling it and the extension is decided as usual (approved,
    the return withdraws it: test_fix_level_and_approvals)."""
    request, approval = asked(hotline)
    step(hotline, request)
    client.force_login(hotline.city.olivia)
    assert "延期待审（0）" in client.get("/requests/triage/").content.decode()
    services.request_return_decide(actor=hotline.city.olivia, request=request, approve=False, note="属本街道")
    assert "延期待审（1）" in client.get("/requests/triage/").content.decode()
    request.refresh_from_db()
    services.request_extend_decide(actor=hotline.city.olivia, request=request, approve=True)
    approval.refresh_from_db()
    assert approval.state == ApprovalState.APPROVED
