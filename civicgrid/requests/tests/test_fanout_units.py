"""New work orders, 督办 and 吹哨 summons reach the unit's people, not its name.

Each used to be one SMS to the unit's name with no address, which a real SMS gateway refuses
("没有手机号，无法发送短信"). Now each active member gets one row per channel they can be
reached on, keyed ``{old key}:{user}:{channel}``; a unit nobody in which can be reached gets
one row recorded failed with the reason. A resumption records the resolution deadline before
and after, like an approved extension, and the timeline shows it.
"""

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from civicgrid.core import crypto
from civicgrid.notify.backends import MemoryBackend
from civicgrid.notify.models import Notification, State
from civicgrid.notify.services import outbox_drain
from civicgrid.requests import services
from civicgrid.requests.constants import Action
from civicgrid.requests.models import Request, RequestEvent
from civicgrid.requests.services.dispatch import Assignment, assignment_messages, dispatch_key
from civicgrid.requests.tests.people import unit_member as member
from civicgrid.requests.web_helpers import deadline_change

pytestmark = pytest.mark.django_db
MEMORY = "civicgrid.notify.backends.MemoryBackend"
BOTH = {"sms": MEMORY, "email": MEMORY}


def rows(prefix: str) -> dict[str, tuple[str, str]]:
    """The outbox rows under ``prefix:``: what follows it → (channel, address)."""
    found = Notification.objects.filter(dedupe_key__startswith=f"{prefix}:")
    return {
        n.dedupe_key.removeprefix(f"{prefix}:"): (n.channel, crypto.decrypt(n.address_enc)) for n in found
    }


def signed(hotline: Any) -> Request:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    return services.request_sign(actor=hotline.hank, request=request)


@override_settings(NOTIFY_BACKENDS=BOTH)
def test_a_new_work_order_reaches_each_member_of_the_lead_unit(hotline: Any) -> None:
    li = member(hotline.chengguan, "li", phone="13800138000", email="li@example.gov.cn")
    wu = member(hotline.chengguan, "wu", email="wu@example.gov.cn")
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    MemoryBackend.outbox = []
    moved = services.request_reassign(
        actor=hotline.city.olivia, request=request, lead_unit=hotline.chengguan, reason="属城管职责"
    )
    key = f"dispatch:{request.pk}:{moved.version}:{hotline.chengguan.pk}"
    assert rows(key) == {
        f"{li.pk}:sms": ("sms", "13800138000"),
        f"{li.pk}:email": ("email", "li@example.gov.cn"),
        f"{wu.pk}:email": ("email", "wu@example.gov.cn"),
    }
    body = f"【接诉即办】区城管局：新工单 {request.number}「{request.title}」请及时签收。"
    told = Notification.objects.filter(dedupe_key__startswith=f"{key}:")
    assert {(n.subject, n.body) for n in told} == {(f"新工单 {request.number}", body)}
    assert all(n.recipient_user_id and n.recipient_label.startswith("区城管局") for n in told)
    assert not Notification.objects.filter(dedupe_key=key).exists()  # no row to the unit's name
    outbox_drain()
    assert sorted(m.address for m in MemoryBackend.outbox if m.idempotency_key.startswith(key)) == [
        "13800138000",
        "li@example.gov.cn",
        "wu@example.gov.cn",
    ]


def test_a_work_order_for_a_unit_nobody_can_be_reached_in_is_recorded_failed(hotline: Any) -> None:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    moved = services.request_reassign(
        actor=hotline.city.olivia, request=request, lead_unit=hotline.sub_b_unit, reason="属通江街道辖区"
    )
    key = f"dispatch:{request.pk}:{moved.version}:{hotline.sub_b_unit.pk}"
    row = Notification.objects.get(dedupe_key__startswith=f"{key}:")
    assert row.dedupe_key == f"{key}:nobody" and row.state == State.FAILED
    assert row.recipient_label == "通江街道办事处"
    assert row.last_error == "承办单位「通江街道办事处」没有在岗的单位人员，新工单通知无人接收"
    outbox_drain()
    row.refresh_from_db()
    assert row.state == State.FAILED and row.attempts == 0


def test_the_rows_for_a_bulk_insert_are_those_the_dispatch_queues(hotline: Any) -> None:
    li = member(hotline.chengguan, "li", phone="13800138000")
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    moved = services.request_reassign(
        actor=hotline.city.olivia, request=request, lead_unit=hotline.chengguan, reason="属城管职责"
    )
    assignment = Assignment(lead=hotline.chengguan)
    with transaction.atomic():
        unsaved = assignment_messages(moved, assignment, version=moved.version)
    key = dispatch_key(moved, assignment, moved.version)
    queued = Notification.objects.get(dedupe_key__startswith=f"{key}:")
    assert [(m.dedupe_key, m.channel, m.body, m.recipient_user_id) for m in unsaved] == [
        (f"{key}:{li.pk}:sms", "sms", queued.body, li.pk)
    ]
    assert queued.dedupe_key == f"{key}:{li.pk}:sms"


def test_supervision_reaches_the_lead_units_members_once(hotline: Any) -> None:
    li = member(hotline.sub_a_unit, "li", phone="13800138000")
    request = signed(hotline)
    services.request_supervise(actor=hotline.city.dave, request=request, note="请今天内报结果。")
    event = RequestEvent.objects.get(request=request, action=Action.SUPERVISE)
    key = f"supervise:{event.pk}"
    assert rows(key) == {f"{li.pk}:sms": ("sms", "13800138000")}
    # hank, a member with no phone, is not sent anything to his name
    assert not Notification.objects.filter(dedupe_key__startswith=key, address_enc="").exists()
    row = Notification.objects.get(dedupe_key__startswith=key)
    assert row.body == f"【督办】{request.number}「{request.title}」：请今天内报结果。"
    assert row.subject == f"督办 {request.number}"


def test_supervision_of_a_unit_nobody_can_be_reached_in_says_so(hotline: Any) -> None:
    request = signed(hotline)  # 崇安寺街道: hank, without a phone
    services.request_supervise(actor=hotline.city.dave, request=request, note="请今天内报结果。")
    event = RequestEvent.objects.get(request=request, action=Action.SUPERVISE)
    row = Notification.objects.get(dedupe_key__startswith=f"supervise:{event.pk}")
    assert row.dedupe_key == f"supervise:{event.pk}:nobody" and row.state == State.FAILED
    assert row.last_error == (
        "承办单位「崇安寺街道办事处」的单位人员均未登记手机号（单位人员工作手机或岗位任职），督办通知无人接收"
    )


def test_a_whistle_summons_each_departments_members(hotline: Any) -> None:
    li = member(hotline.chengguan, "li", phone="13800138000")
    request = signed(hotline)
    deadline = timezone.now() + timedelta(days=1)
    whistle = services.request_whistle(
        actor=hotline.hank,
        request=request,
        units=[hotline.chengguan, hotline.zhujian],
        reason="违建拆除需联合处置",
        deadline=deadline,
    )
    key = f"whistle:{whistle.pk}:{hotline.chengguan.pk}"
    assert rows(key) == {f"{li.pk}:sms": ("sms", "13800138000")}
    row = Notification.objects.get(dedupe_key__startswith=f"{key}:")
    assert row.body.startswith("【吹哨报到】崇安寺街道办事处召集贵单位于")
    assert "违建拆除需联合处置" in row.body
    nobody = Notification.objects.get(dedupe_key__startswith=f"whistle:{whistle.pk}:{hotline.zhujian.pk}:")
    assert nobody.dedupe_key.endswith(":nobody") and nobody.state == State.FAILED
    assert nobody.last_error == "被召集单位「区住建局」没有在岗的单位人员，吹哨召集无人接收"


def test_nothing_is_queued_when_the_change_rolls_back(hotline: Any) -> None:
    member(hotline.chengguan, "li", phone="13800138000")
    request = signed(hotline)
    before = Notification.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.request_whistle(
            actor=hotline.hank,
            request=request,
            units=[hotline.chengguan],
            reason="违建拆除需联合处置",
            deadline=timezone.now() + timedelta(days=1),
        )
        raise RuntimeError
    assert Notification.objects.count() == before


def test_a_resumption_records_the_deadline_before_and_after(client: Client, hotline: Any) -> None:
    request = signed(hotline)
    services.request_suspend(actor=hotline.city.olivia, request=request, reason="等待业主")
    # suspended two days ago: the resolution deadline moves on by the time that passed
    Request.objects.filter(pk=request.pk).update(suspended_at=timezone.now() - timedelta(days=2))
    request.refresh_from_db()
    before = request.due_resolution_at
    assert before is not None
    resumed = services.request_resume(actor=hotline.city.olivia, request=request)
    assert resumed.due_resolution_at is not None and resumed.due_resolution_at > before
    event = RequestEvent.objects.get(request=request, action=Action.RESUME)
    assert event.data["due_before"] == before.isoformat()
    assert event.data["due_after"] == resumed.due_resolution_at.isoformat()
    assert "paused_from" in event.data
    change = deadline_change(event.data)
    assert change is not None
    client.force_login(hotline.city.olivia)
    html = client.get(f"/requests/{request.pk}/").content.decode()
    assert f"办理期限 {change[0]} → {change[1]}" in html
