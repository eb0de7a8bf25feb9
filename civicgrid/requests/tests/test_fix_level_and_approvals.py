"""A request's handling level follows its lead unit, so 上报 goes one level up from where it
is handled; and a unit's pending approvals (extension, return) are withdrawn when the request
leaves it: reassigned, escalated, returned, merged or closed."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role, User
from civicgrid.conftest import make_user
from civicgrid.core.errors import ValidationError
from civicgrid.requests import services
from civicgrid.requests.constants import NOTE_MAX, Action, ApprovalKind, ApprovalState, HandlingLevel
from civicgrid.requests.models import Approval, HandlingUnit, Request, RequestEvent, UnitMembership

pytestmark = pytest.mark.django_db


def _member(username: str, name: str, unit: HandlingUnit) -> User:
    user = make_user(username, name)
    UnitMembership.objects.create(user=user, unit=unit, is_approver=True)
    accounts.role_grant(actor=None, system=True, user=user, role=Role.HANDLER, node=unit.node)
    return user


def _signed_at_sub_a(hotline: Any) -> Request:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    assert request.lead_unit == hotline.sub_a_unit
    return services.request_sign(actor=hotline.hank, request=request)


# --- 1. the handling level --------------------------------------------------------------------


def test_a_community_led_request_escalates_to_the_subdistrict_then_the_district(hotline: Any) -> None:
    c = hotline.city
    request = services.request_create(actor=c.olivia, data=hotline.new())
    assert request.level == HandlingLevel.SUBDISTRICT  # the locator's rule chose 崇安寺街道
    request = services.request_reassign(
        actor=c.olivia, request=request, lead_unit=hotline.comm_a1_unit, reason="小区内部事务"
    )
    request.refresh_from_db()
    assert request.level == HandlingLevel.COMMUNITY
    cora = _member("cora", "陈蓉", hotline.comm_a1_unit)
    services.request_sign(actor=cora, request=request)
    request = services.request_escalate(actor=cora, request=request, reason="社区协调不了")
    request.refresh_from_db()
    assert (request.level, request.lead_unit) == (HandlingLevel.SUBDISTRICT, hotline.sub_a_unit)
    event = request.events.get(action=Action.ESCALATE)
    assert (event.data["level_from"], event.data["level_to"]) == ("community", "subdistrict")
    services.request_sign(actor=hotline.hank, request=request)
    request = services.request_escalate(actor=hotline.hank, request=request, reason="需区里协调")
    request.refresh_from_db()
    assert (request.level, request.lead_unit) == (HandlingLevel.DISTRICT, hotline.district_unit)


def test_a_department_handles_at_the_district_level_and_cannot_escalate(hotline: Any) -> None:
    request = services.request_create(
        actor=hotline.city.olivia, data=hotline.new(category=hotline.street_vending)
    )
    request.refresh_from_db()
    assert (request.lead_unit, request.level) == (hotline.chengguan, HandlingLevel.DISTRICT)
    request = services.request_sign(actor=hotline.dora, request=request)
    with pytest.raises(ValidationError) as refused:
        services.request_escalate(actor=hotline.dora, request=request, reason="需区里协调")
    assert "已在区（县）级办理" in str(refused.value.errors)
    request.refresh_from_db()
    assert request.lead_unit == hotline.chengguan
    assert not request.events.filter(action=Action.ESCALATE).exists()


def test_a_request_dispatched_before_the_level_followed_the_unit_escalates_from_its_unit(
    hotline: Any,
) -> None:
    """Rows written before this fix say 街道 with a community in the lead: the community's
    上报 goes to the subdistrict, not straight past it to the district."""
    c = hotline.city
    request = services.request_create(actor=c.olivia, data=hotline.new())
    request = services.request_reassign(
        actor=c.olivia, request=request, lead_unit=hotline.comm_a1_unit, reason="小区内部事务"
    )
    Request.objects.filter(pk=request.pk).update(level=HandlingLevel.SUBDISTRICT)
    request.refresh_from_db()
    cora = _member("cora", "陈蓉", hotline.comm_a1_unit)
    services.request_sign(actor=cora, request=request)
    request = services.request_escalate(actor=cora, request=request, reason="社区协调不了")
    request.refresh_from_db()
    assert (request.level, request.lead_unit) == (HandlingLevel.SUBDISTRICT, hotline.sub_a_unit)


# --- 2. pending approvals -------------------------------------------------------------------


def _pending(request: Request) -> list[Approval]:
    return list(Approval.objects.filter(request=request, state=ApprovalState.PENDING))


def _assert_withdrawn(approval: Approval) -> None:
    approval.refresh_from_db()
    assert approval.state == ApprovalState.WITHDRAWN and approval.get_state_display() == "已撤回"
    assert approval.decision_note.startswith("已撤回")
    assert RequestEvent.objects.filter(
        request_id=approval.request_id, action=Action.NOTE, data__approval=approval.pk
    ).exists()


def test_reassign_withdraws_the_old_units_extension_and_the_new_unit_may_ask(hotline: Any) -> None:
    c = hotline.city
    request = _signed_at_sub_a(hotline)
    old = services.request_extend(actor=hotline.hank, request=request, amount=3, reason="等配件")
    request = services.request_reassign(
        actor=c.olivia, request=request, lead_unit=hotline.zhujian, reason="属住建局职责"
    )
    _assert_withdrawn(old)
    queue = Approval.objects.filter(state=ApprovalState.PENDING, kind=ApprovalKind.EXTENSION)
    assert not queue.exists()  # the dispatcher's 延期待审 list is empty
    zoe = _member("zoe", "朱颖", hotline.zhujian)
    services.request_sign(actor=zoe, request=request)
    new = services.request_extend(actor=zoe, request=request, amount=2, reason="需现场勘查")
    assert new.unit == hotline.zhujian and _pending(request) == [new]


def test_escalate_withdraws_the_pending_extension(hotline: Any) -> None:
    request = _signed_at_sub_a(hotline)
    old = services.request_extend(actor=hotline.hank, request=request, amount=3, reason="等配件")
    services.request_escalate(actor=hotline.hank, request=request, reason="需区里协调")
    _assert_withdrawn(old)
    assert _pending(request) == []


def test_approved_return_withdraws_the_pending_extension(hotline: Any) -> None:
    c = hotline.city
    request = _signed_at_sub_a(hotline)
    old = services.request_extend(actor=hotline.hank, request=request, amount=3, reason="等配件")
    services.request_return(actor=hotline.hank, request=request, reason="不属本街道")
    request = services.request_return_decide(actor=c.olivia, request=request, approve=True, note="同意")
    _assert_withdrawn(old)
    assert _pending(request) == []
    request = services.request_dispatch(
        actor=c.olivia, request=request, lead_unit=hotline.zhujian, note="原单位退回，改派住建局"
    )
    zoe = _member("zoe", "朱颖", hotline.zhujian)
    services.request_sign(actor=zoe, request=request)
    services.request_extend(actor=zoe, request=request, amount=2, reason="需现场勘查")


def test_merge_withdraws_the_pending_extension(hotline: Any) -> None:
    c = hotline.city
    first = services.request_create(actor=c.olivia, data=hotline.new())
    request = _signed_at_sub_a(hotline)
    old = services.request_extend(actor=hotline.hank, request=request, amount=3, reason="等配件")
    services.request_merge(actor=c.olivia, request=request, into=first)
    _assert_withdrawn(old)
    assert _pending(request) == []


def test_a_rejected_return_keeps_the_units_extension(hotline: Any) -> None:
    c = hotline.city
    request = _signed_at_sub_a(hotline)
    old = services.request_extend(actor=hotline.hank, request=request, amount=3, reason="等配件")
    services.request_return(actor=hotline.hank, request=request, reason="不属本街道")
    request = services.request_return_decide(actor=c.olivia, request=request, approve=False, note="属本街道")
    assert _pending(request) == [old]
    services.request_extend_decide(actor=c.olivia, request=request, approve=True)


def test_the_migration_gives_approvals_withdrawn_before_it_their_own_state(hotline: Any) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("civicgrid.requests.migrations.0012_approval_withdrawn")
    request = _signed_at_sub_a(hotline)
    withdrawn = services.request_extend(actor=hotline.hank, request=request, amount=3, reason="等配件")
    Approval.objects.filter(pk=withdrawn.pk).update(state="rejected", decision_note="已撤回：主办单位已变更")
    services.request_return(actor=hotline.hank, request=request, reason="不属本街道")
    refused = Approval.objects.get(request=request, kind=ApprovalKind.RETURN)
    Approval.objects.filter(pk=refused.pk).update(state="rejected", decision_note="属本街道职责")
    migration.withdrawn_apart(apps, None)
    assert Approval.objects.get(pk=withdrawn.pk).state == ApprovalState.WITHDRAWN
    assert Approval.objects.get(pk=refused.pk).state == ApprovalState.REJECTED
    migration.withdrawn_back(apps, None)
    assert Approval.objects.get(pk=withdrawn.pk).state == ApprovalState.REJECTED


def test_a_reason_beyond_the_note_limit_is_refused_whatever_action_writes_it(
    hotline: Any, client: Client
) -> None:
    """An outside tester escalated with a 20,000-character reason: it was stored. Every
    action's text now stops at NOTE_MAX, in the service (API) and in the page's form."""
    request = _signed_at_sub_a(hotline)
    version = Request.objects.get(pk=request.pk).version
    with pytest.raises(ValidationError) as refused:
        services.request_escalate(actor=hotline.hank, request=request, reason="很" * (NOTE_MAX + 1))
    assert "最长5000个字" in refused.value.message
    request.refresh_from_db()
    assert request.version == version and request.lead_unit == hotline.sub_a_unit
    assert not request.events.filter(action=Action.ESCALATE).exists()
    client.force_login(hotline.hank)
    page = client.post(
        f"/requests/{request.pk}/act/suspend/", {"version": version, "reason": "很" * (NOTE_MAX + 1)}
    )
    assert page.status_code == 422
    request.refresh_from_db()
    assert request.version == version and request.status == "signed"
