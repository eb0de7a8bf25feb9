"""Found by an outside tester: when another person's action did not change the status (督办
against a sign or reply, two handlers asking for an extension at once, one operator approving
it while another rejects it), the loser read "该诉求已被他人处理（当前状态：已签收）" — the status
their page already showed, so nothing said what happened. The 409 now names it from the history
rows since the caller's version, and falls back to words that claim no change of status."""

from typing import Any

import pytest
from django.db import transaction

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role
from civicgrid.conftest import make_user
from civicgrid.core.errors import Conflict
from civicgrid.requests import services
from civicgrid.requests.constants import Action, ApprovalKind, ApprovalState, Status
from civicgrid.requests.models import Approval, Request, RequestEvent, UnitMembership
from civicgrid.requests.permissions import SYSTEM
from civicgrid.requests.services import engine
from civicgrid.requests.tests.test_api import Caller
from civicgrid.territory.tests.threads import postgres_only, run_at_once, slow_audit

pytestmark = pytest.mark.django_db


def _signed(hotline: Any) -> Request:
    found = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    services.request_sign(actor=hotline.hank, request=found)
    return Request.objects.get(pk=found.pk)


def _stale(call: Any) -> str:
    with pytest.raises(Conflict) as refused:
        call()
    return refused.value.message


def _second_operator(hotline: Any) -> Any:
    oscar = make_user("oscar", "欧阳明")
    accounts.role_grant(actor=None, system=True, user=oscar, role=Role.OPERATOR, node=hotline.city.district)
    return oscar


def test_a_supervision_meanwhile_is_named_without_a_status(hotline: Any) -> None:
    c = hotline.city
    found = _signed(hotline)
    seen = found.version
    services.request_supervise(actor=c.dave, request=found, note="请三日内解决")
    message = _stale(
        lambda: services.request_reply(
            actor=hotline.hank, request=found, reply="已修复", expected_version=seen
        )
    )
    assert message == "该诉求刚刚已由陈刚督办，请刷新页面查看后再操作"
    assert "当前状态" not in message and "已被他人处理" not in message


def test_a_second_extension_request_is_told_one_is_pending(hotline: Any) -> None:
    helen = make_user("helen", "何琳")
    UnitMembership.objects.create(user=helen, unit=hotline.sub_a_unit)
    found = _signed(hotline)
    seen = found.version
    services.request_extend(
        actor=hotline.hank, request=found, amount=3, reason="需要协调", expected_version=seen
    )
    message = _stale(
        lambda: services.request_extend(
            actor=helen, request=found, amount=2, reason="等配件", expected_version=seen
        )
    )
    assert message.startswith("已有待审批的延期申请（韩军刚刚提交）")
    assert Approval.objects.filter(request=found, kind=ApprovalKind.EXTENSION).count() == 1


def test_an_extension_decided_by_another_operator_names_them_and_how(hotline: Any) -> None:
    c = hotline.city
    oscar = _second_operator(hotline)
    found = _signed(hotline)
    services.request_extend(actor=hotline.hank, request=found, amount=3, reason="需要协调")
    seen = Request.objects.get(pk=found.pk).version
    services.request_extend_decide(actor=c.olivia, request=found, approve=True, expected_version=seen)
    stale = _stale(
        lambda: services.request_extend_decide(
            actor=oscar, request=found, approve=False, note="理由不足", expected_version=seen
        )
    )
    assert stale.startswith("该延期申请已由周静审批（同意）")
    # without a version: the pending approval is gone, and the message still says who and how
    late = _stale(
        lambda: services.request_extend_decide(actor=oscar, request=found, approve=False, note="理由不足")
    )
    assert late.startswith("该延期申请已由周静审批（同意）")
    assert Approval.objects.get(request=found).state == ApprovalState.APPROVED


def test_a_change_of_status_names_who_did_what_and_the_status(hotline: Any) -> None:
    c = hotline.city
    found = _signed(hotline)
    seen = found.version
    services.request_reassign(
        actor=c.olivia, request=found, lead_unit=hotline.sub_b_unit, reason="属通江街道"
    )
    message = _stale(
        lambda: services.request_supervise(actor=c.dave, request=found, note="快办", expected_version=seen)
    )
    assert message == "该诉求已被他人处理（周静刚刚改派，当前状态：已派单），请刷新后再试"


def test_no_named_person_falls_back_to_words_that_claim_no_status_change(hotline: Any) -> None:
    c = hotline.city
    found = _signed(hotline)
    seen = found.version
    with transaction.atomic():  # the deadline scan's yellow light: no person, no status change
        engine.finish(SYSTEM, engine.lock(found), Action.WARN, note="办理黄灯", target=None)
    message = _stale(
        lambda: services.request_supervise(actor=c.dave, request=found, note="快办", expected_version=seen)
    )
    assert message == "该诉求刚刚已被他人更新，请刷新页面查看后再操作"
    assert Request.objects.get(pk=found.pk).status == Status.SIGNED


def test_the_own_other_tab_message_stays(hotline: Any) -> None:
    c = hotline.city
    found = _signed(hotline)
    seen = found.version
    services.request_supervise(actor=c.dave, request=found, note="请三日内解决", expected_version=seen)
    message = _stale(
        lambda: services.request_supervise(actor=c.dave, request=found, note="再催", expected_version=seen)
    )
    assert "您的另一个页面或窗口" in message


def test_the_api_409_names_the_supervision(hotline: Any) -> None:
    c = hotline.city
    found = _signed(hotline)
    seen = found.version
    services.request_supervise(actor=c.dave, request=found, note="请三日内解决")
    answer = Caller(hotline.hank).post(f"/{found.pk}/start", {"expected_version": seen})
    assert answer.status_code == 409
    assert answer.json()["message"] == "该诉求刚刚已由陈刚督办，请刷新页面查看后再操作"
    assert not RequestEvent.objects.filter(request=found, action=Action.START).exists()


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_approve_and_reject_at_once_the_loser_is_told_who_decided(hotline: Any, monkeypatch: Any) -> None:
    c = hotline.city
    oscar = _second_operator(hotline)
    found = _signed(hotline)
    services.request_extend(actor=hotline.hank, request=found, amount=3, reason="需要协调")
    seen = Request.objects.get(pk=found.pk).version
    olivia, other = Caller(c.olivia), Caller(oscar)
    slow_audit(monkeypatch, engine)
    approve, reject = run_at_once(
        lambda: olivia.post(f"/{found.pk}/extend-decision", {"approve": True, "expected_version": seen}),
        lambda: other.post(
            f"/{found.pk}/extend-decision", {"approve": False, "note": "理由不足", "expected_version": seen}
        ),
    )
    assert approve.status_code == 200 and reject.status_code == 409
    assert reject.json()["message"].startswith("该延期申请已由周静审批（同意）")
    assert "当前状态" not in reject.json()["message"]
