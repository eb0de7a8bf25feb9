"""上报 keeps the request's clocks; its history row names the sender's unit, the level change and
the destination; a failed 核查 tells the unit and is written down as such."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role, User
from civicgrid.conftest import make_user
from civicgrid.notify.models import Notification
from civicgrid.requests import services
from civicgrid.requests.constants import Action, AssignmentRole, HandlingLevel, Light, Status
from civicgrid.requests.deadlines import refresh_light
from civicgrid.requests.models import HandlingUnit, Request, UnitMembership, WorkOrder
from civicgrid.requests.tests.test_pages import login, page

pytestmark = pytest.mark.django_db


def _member(username: str, name: str, unit: HandlingUnit) -> User:
    user = make_user(username, name)
    UnitMembership.objects.create(user=user, unit=unit, is_approver=True)
    accounts.role_grant(actor=None, system=True, user=user, role=Role.HANDLER, node=unit.node)
    return user


def _at_community(hotline: Any) -> tuple[Request, User]:
    c = hotline.city
    r = services.request_create(actor=c.olivia, data=hotline.new())
    unit = hotline.comm_a1_unit
    r = services.request_reassign(actor=c.olivia, request=r, lead_unit=unit, reason="小区内部事务")
    r.refresh_from_db()
    return r, _member("yang", "杨兰雨", hotline.comm_a1_unit)


def test_escalation_keeps_the_dispatch_time_and_the_deadlines(hotline: Any) -> None:
    r, yang = _at_community(hotline)
    services.request_sign(actor=yang, request=r)
    r.refresh_from_db()
    dispatched, due_response, due_resolution, responded = (
        r.dispatched_at,
        r.due_response_at,
        r.due_resolution_at,
        r.responded_at,
    )
    services.request_escalate(actor=yang, request=r, reason="社区协调不了")
    r.refresh_from_db()
    assert r.lead_unit == hotline.sub_a_unit and r.status == Status.DISPATCHED
    kept = (r.dispatched_at, r.due_response_at, r.due_resolution_at)
    assert kept == (dispatched, due_response, due_resolution)
    assert r.responded_at == responded  # the response clock stays answered
    order = WorkOrder.objects.get(request=r, is_active=True, role=AssignmentRole.LEAD)
    assert dispatched is not None
    assert order.unit == hotline.sub_a_unit and order.dispatched_at > dispatched  # its own time
    services.request_sign(actor=hotline.hank, request=r)
    r.refresh_from_db()
    assert r.responded_at == responded


def test_an_overdue_request_stays_red_after_escalation(hotline: Any) -> None:
    r, yang = _at_community(hotline)
    services.request_sign(actor=yang, request=r)
    past = timezone.now() - timedelta(days=30)
    Request.objects.filter(pk=r.pk).update(dispatched_at=past, due_resolution_at=past + timedelta(days=9))
    r.refresh_from_db()
    services.request_escalate(actor=yang, request=r, reason="社区协调不了")
    r.refresh_from_db()
    assert r.due_resolution_at == past + timedelta(days=9)
    refresh_light(r, timezone.now())
    assert r.light == Light.RED


def test_an_unsigned_escalation_keeps_the_response_deadline(hotline: Any) -> None:
    r, yang = _at_community(hotline)
    due = r.due_response_at
    services.request_escalate(actor=yang, request=r, reason="不属社区")
    r.refresh_from_db()
    assert r.responded_at is None and r.due_response_at == due


def test_the_escalation_row_names_the_senders_unit_the_levels_and_the_destination(
    hotline: Any, client: Any
) -> None:
    r, yang = _at_community(hotline)
    services.request_escalate(actor=yang, request=r, reason="社区协调不了")
    event = r.events.get(action=Action.ESCALATE)
    assert event.unit == hotline.comm_a1_unit
    assert event.data["from_unit"] == hotline.comm_a1_unit.pk
    assert event.data["lead"] == hotline.sub_a_unit.pk
    login(client, hotline.city.olivia)
    html = page(client.get(f"/requests/{r.pk}/"))
    row = html[html.index('class="tl-escalate"') :]
    row = row[: row.index("</li>")]
    assert "杨兰雨 · 胜利门社区居委会" in row
    assert f"{HandlingLevel.COMMUNITY.label} → {HandlingLevel.SUBDISTRICT.label}" in row
    assert "上报至崇安寺街道办事处" in row


def test_the_council_card_names_the_unit_and_level_that_held_it(hotline: Any, client: Any) -> None:
    r, yang = _at_community(hotline)
    services.request_sign(actor=yang, request=r)
    services.request_council(
        actor=yang,
        request=r,
        held_on=timezone.localdate(),
        party_branch="王书记",
        owners_committee="李主任",
        property_company="物业张经理",
        outcome="物业本周修复",
    )
    login(client, hotline.city.olivia)
    html = page(client.get(f"/requests/{r.pk}/"))
    card = html[html.index('class="council"') :]
    assert f"胜利门社区居委会（{HandlingLevel.COMMUNITY.label}）组织" in card[: card.index("</div>")]


def _replied(hotline: Any) -> Request:
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    services.request_sign(actor=hotline.hank, request=r)
    r = services.request_reply(actor=hotline.hank, request=r, reply="已更换电梯控制板")
    r.refresh_from_db()
    return r


def test_a_failed_check_tells_the_handling_unit(hotline: Any) -> None:
    r = _replied(hotline)
    services.request_verify(actor=hotline.city.alice, request=r, confirmed=False, note="电梯仍停运")
    # hank has no phone: the unit's notice is the "nobody reachable" row, as for a dispatch
    told = Notification.objects.filter(dedupe_key__startswith=f"verify-failed:{r.pk}:")
    assert told.count() == 1
    dispatched = Notification.objects.filter(dedupe_key__startswith=f"dispatch:{r.pk}:")
    assert dispatched.count() == 1 and told.get().channel == dispatched.get().channel


def test_the_verdict_is_written_on_the_timeline_and_the_rejected_reply_is_marked(
    hotline: Any, client: Any
) -> None:
    r = _replied(hotline)
    services.request_verify(actor=hotline.city.alice, request=r, confirmed=False, note="电梯仍停运")
    login(client, hotline.city.olivia)
    html = page(client.get(f"/requests/{r.pk}/"))
    row = html[html.index('class="tl-verify"') :]
    assert "核查结论：不属实" in row[: row.index("</li>")]
    orders = html[html.index("工单（派单依据）") :]
    orders = orders[: orders.index("</table>")]
    assert "核查未通过" in orders and "已更换电梯控制板" in orders
    r.refresh_from_db()
    services.request_reply(actor=hotline.hank, request=r, reply="已彻底修复")
    r.refresh_from_db()
    services.request_verify(actor=hotline.city.alice, request=r, confirmed=True, note="已恢复")
    html = page(client.get(f"/requests/{r.pk}/"))
    assert "核查结论：属实" in html
    orders = html[html.index("工单（派单依据）") :]
    assert "核查未通过" not in orders[: orders.index("</table>")]
