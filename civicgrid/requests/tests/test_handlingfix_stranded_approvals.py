"""Found by an outside tester: an extension asked for (申请延期) and then made moot by the
unit's own next step was stranded. The handler replied before the operator decided; triage
still listed it under 延期待审 with 同意延期/驳回 buttons that both answered 409, and the
request page showed it 待审批 forever. Every transition that leaves the request where the
extension can no longer be decided now withdraws it (已撤回), as 挂账 and a change of lead
unit already did."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from civicgrid.requests import services
from civicgrid.requests.constants import Action, ApprovalKind, ApprovalState, Status
from civicgrid.requests.models import Approval, Request, RequestEvent
from civicgrid.requests.transitions import TRANSITIONS

pytestmark = pytest.mark.django_db

DECIDABLE = TRANSITIONS[Action.EXTEND_APPROVE].sources


def asked(hotline: Any) -> tuple[Request, Approval]:
    """A lift request signed for by hank's street, with 3 working days more asked for."""
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    request = services.request_sign(actor=hotline.hank, request=request)
    approval = services.request_extend(actor=hotline.hank, request=request, amount=3, reason="等待配件")
    return Request.objects.get(pk=request.pk), approval


def test_a_reply_withdraws_the_pending_extension(client: Client, hotline: Any) -> None:
    request, approval = asked(hotline)
    services.request_reply(actor=hotline.hank, request=request, reply="电梯已修复")
    approval.refresh_from_db()
    assert approval.state == ApprovalState.WITHDRAWN
    assert approval.decision_note == "已撤回：承办单位已答复"
    row = RequestEvent.objects.filter(request=request, data__withdrawn=True).get()
    assert row.action == Action.NOTE and "延期申请已撤回" in row.note

    client.force_login(hotline.city.olivia)
    triage = client.get("/requests/triage/").content.decode()
    assert "延期待审（0）" in triage and "没有待审的延期申请" in triage
    page = client.get(f"/requests/{request.pk}/").content.decode()
    assert "已撤回" in page and "待审批" not in page


def _reply(h: Any, r: Request) -> None:
    services.request_reply(actor=h.hank, request=r, reply="已处理")


def _not_ours(h: Any, r: Request) -> None:
    services.request_return(actor=h.hank, request=r, reason="不属本街道", not_ours=True)


def _return(h: Any, r: Request) -> None:
    services.request_return(actor=h.hank, request=r, reason="派错了")


def _reassign(h: Any, r: Request) -> None:
    services.request_reassign(actor=h.city.olivia, request=r, lead_unit=h.sub_b_unit, reason="属通江街道")


def _escalate(h: Any, r: Request) -> None:
    services.request_escalate(actor=h.hank, request=r, reason="需区级协调")


def _long_running(h: Any, r: Request) -> None:
    from datetime import timedelta

    from django.utils import timezone

    until = timezone.localdate() + timedelta(days=60)
    services.request_long_running(actor=h.city.olivia, request=r, plan="分期改造", plan_until=until)


def _merge(h: Any, r: Request) -> None:
    other = services.request_create(actor=h.city.olivia, data=h.new(requester_phone="13900000000"))
    services.request_merge(actor=h.city.olivia, request=r, into=other)


def _suspend(h: Any, r: Request) -> None:
    services.request_suspend(actor=h.city.olivia, request=r, reason="等待法院裁定")


STEPS: dict[str, Callable[[Any, Request], None]] = {
    "reply": _reply,
    "reassign": _reassign,
    "escalate": _escalate,
    "long_running": _long_running,
    "merge": _merge,
    "suspend": _suspend,
}


@pytest.mark.parametrize("step", list(STEPS))
def test_no_transition_strands_a_pending_approval(hotline: Any, step: str) -> None:
    """After any step from a request with an extension pending, an approval still pending can
    be decided there (挂起: the operator may still decide); every other one is 已撤回. (A return
    asked for holds it until decided: test_handlingfix_triage_extensions.)"""
    request, approval = asked(hotline)
    STEPS[step](hotline, request)
    request.refresh_from_db()
    approval.refresh_from_db()
    pending = Approval.objects.filter(request=request, state=ApprovalState.PENDING)
    for left in pending:
        rule = TRANSITIONS[
            Action.EXTEND_APPROVE if left.kind == ApprovalKind.EXTENSION else Action.RETURN_APPROVE
        ]
        assert request.status in rule.sources, (step, left.kind, request.status)
    if step == "suspend":
        assert request.status == Status.SUSPENDED and approval.state == ApprovalState.PENDING
    else:
        assert approval.state == ApprovalState.WITHDRAWN, step
