"""The dispatcher's decisions reach the unit that handles the request (outside tester: an
extension approved, a suspension or a return rejected was written on the timeline only, and
the unit learned of it when it next looked). Also the timeline's headings: a whistle's outcome
reads 吹哨处置, not 备注, and a 督办 row names its round; and the overdue scan's notice says it
put the request under supervision."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from civicgrid.core import crypto
from civicgrid.notify.models import Notification
from civicgrid.requests import services
from civicgrid.requests.constants import Action
from civicgrid.requests.models import Request, RequestEvent
from civicgrid.requests.services.warnings import deadline_scan
from civicgrid.requests.tests.test_api import Caller
from civicgrid.requests.unit_notify import contacts_cache
from civicgrid.requests.units import unit_member_add

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]
MEMORY = "civicgrid.notify.backends.MemoryBackend"


def _signed(hotline: Any) -> Request:
    """Signed for by 崇安寺街道办事处, whose hank has a work mobile."""
    unit_member_add(actor=None, system=True, unit=hotline.sub_a_unit, user=hotline.hank, phone="13700001111")
    contacts_cache.invalidate()
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    assert request.lead_unit_id == hotline.sub_a_unit.pk
    return services.request_sign(actor=hotline.hank, request=request)


def _told(request: Request, action: str) -> list[Notification]:
    event = RequestEvent.objects.filter(request=request, action=action).latest("pk")
    return list(Notification.objects.filter(dedupe_key__startswith=f"decision:{event.pk}:"))


def _only_sms(request: Request, action: str) -> Notification:
    rows = _told(request, action)
    assert len(rows) == 1, [n.dedupe_key for n in rows]
    assert crypto.decrypt(rows[0].address_enc) == "13700001111"
    return rows[0]


@override_settings(NOTIFY_BACKENDS={"sms": MEMORY})
def test_an_extension_decision_is_told_to_the_lead_unit(hotline: Any) -> None:
    request = _signed(hotline)
    services.request_extend(actor=hotline.hank, request=request, amount=3, reason="需要协调")
    request.refresh_from_db()
    request = services.request_extend_decide(actor=hotline.city.olivia, request=request, approve=True)
    sms = _only_sms(request, Action.EXTEND_APPROVE)
    due = f"{timezone.localtime(request.due_resolution_at):%m-%d %H:%M}"
    assert sms.subject == f"同意延期 {request.number}"
    assert f"{request.number}「{request.title}」的延期申请已同意，办理期限至{due}。" in sms.body

    services.request_extend(actor=hotline.hank, request=request, amount=2, reason="还需协调")
    request.refresh_from_db()
    request = services.request_extend_decide(
        actor=hotline.city.olivia, request=request, approve=False, note="材料不全"
    )
    sms = _only_sms(request, Action.EXTEND_REJECT)
    assert sms.subject == f"驳回延期 {request.number}" and sms.body.endswith("请按原期限办结：材料不全")


@override_settings(NOTIFY_BACKENDS={"sms": MEMORY})
def test_suspension_resumption_and_long_running_are_told(hotline: Any) -> None:
    request = _signed(hotline)
    request = services.request_suspend(actor=hotline.city.olivia, request=request, reason="等待业主回家")
    assert _only_sms(request, Action.SUSPEND).body.endswith("已挂起，期限暂停计时：等待业主回家")
    request = services.request_resume(actor=hotline.city.olivia, request=request, note="业主已回")
    due = f"{timezone.localtime(request.due_resolution_at):%m-%d %H:%M}"
    assert _only_sms(request, Action.RESUME).body.endswith(f"已恢复办理，办理期限至{due}。（业主已回）")
    until = timezone.localdate() + timedelta(days=60)
    request = services.request_long_running(
        actor=hotline.city.olivia, request=request, plan="分两期改造", plan_until=until
    )
    body = _only_sms(request, Action.LONG_RUNNING).body
    assert body.endswith(f"已挂账，按办理计划办理，计划完成日期{until.isoformat()}：分两期改造")


@override_settings(NOTIFY_BACKENDS={"sms": MEMORY})
def test_a_return_decision_is_told_to_the_unit_that_asked(hotline: Any) -> None:
    request = _signed(hotline)
    services.request_return(actor=hotline.hank, request=request, reason="不属本街道")
    request.refresh_from_db()
    request = services.request_return_decide(
        actor=hotline.city.olivia, request=request, approve=False, note="属地管理，请继续办理"
    )
    assert _only_sms(request, Action.RETURN_REJECT).body.endswith(
        "退单申请被驳回，请继续办理：属地管理，请继续办理"
    )
    services.request_return(actor=hotline.hank, request=request, reason="确不属本街道")
    request.refresh_from_db()
    request = services.request_return_decide(actor=hotline.city.olivia, request=request, approve=True)
    assert request.lead_unit_id is None  # back to triage: the unit that asked is still told
    assert _only_sms(request, Action.RETURN_APPROVE).body.endswith(
        "退单申请已同意，工单已收回，无需继续办理。"
    )


def test_the_overdue_scan_says_it_supervised(hotline: Any) -> None:
    request = services.request_create(
        actor=hotline.city.olivia, data=hotline.new(category=hotline.street_vending)
    )
    assert request.dispatched_at is not None
    deadline_scan(now=request.dispatched_at + timedelta(hours=5))  # both clocks red at once
    bodies = [
        n.body
        for n in Notification.objects.filter(
            dedupe_key__startswith="warning:", target_id=request.pk
        ).order_by("pk")
    ]
    assert len([b for b in bodies if "已自动督办" in b]) == 1, bodies  # the first red supervises, once
    assert all(b.startswith(("【超期督办】", "【超期】", "【临期】")) for b in bodies), bodies


def test_the_timeline_names_a_whistles_outcome_and_the_supervision_round(
    client: Client, hotline: Any
) -> None:
    request = _signed(hotline)
    services.request_supervise(actor=hotline.city.dave, request=request, note="请尽快")
    request.refresh_from_db()
    services.request_supervise(actor=hotline.city.dave, request=request, note="再次督办")
    request.refresh_from_db()
    whistle = services.request_whistle(
        actor=hotline.hank,
        request=request,
        units=[hotline.chengguan],
        reason="请城管到场",
        deadline=timezone.now() + timedelta(days=1),
    )
    request.refresh_from_db()
    services.whistle_close(actor=hotline.hank, whistle=whistle, outcome="已联合处置")
    client.force_login(hotline.city.olivia)
    html = client.get(f"/requests/{request.pk}/").content.decode()
    assert "第1次督办" in html and "第2次督办" in html
    assert "吹哨处置" in html
    api = Caller(hotline.city.olivia).get(f"/{request.pk}")
    assert api.status_code == 200, api.content
    labels = [e["action_label"] for e in api.json()["events"]]
    assert labels.count("督办") == 2 and labels[-1] == "吹哨处置", labels
