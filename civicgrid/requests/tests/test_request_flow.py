"""A request from intake to rating, and the refusals along the way."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.notify.models import Notification
from civicgrid.requests import services
from civicgrid.requests.constants import Action, AssignmentRole, Status
from civicgrid.requests.models import Rating, RequestEvent, WorkOrder

pytestmark = pytest.mark.django_db


def test_hotline_request_is_located_numbered_and_dispatched_to_the_subdistrict(hotline: Any) -> None:
    c = hotline.city
    request = services.request_create(actor=c.olivia, data=hotline.new())
    assert request.number.startswith(timezone.localdate().strftime("%Y%m%d") + "-")
    assert request.node == c.grid_a1_1
    assert request.status == Status.DISPATCHED
    assert request.lead_unit == hotline.sub_a_unit
    orders = {(wo.unit_id, wo.role) for wo in WorkOrder.objects.filter(request=request)}
    assert orders == {
        (hotline.sub_a_unit.pk, AssignmentRole.LEAD),
        (hotline.district_unit.pk, AssignmentRole.COPY),
    }
    dispatch = RequestEvent.objects.get(request=request, action=Action.DISPATCH)
    assert dispatch.data["rule_label"] == "规则：属地街道"
    assert request.requester_phone_masked == "138****5678"
    assert "13812345678" not in request.requester_phone_enc
    assert request.due_resolution_at and request.dispatched_at
    assert request.due_resolution_at > request.dispatched_at
    assert Notification.objects.filter(subject__contains=request.number).exists()


def test_category_rule_sends_street_vending_to_chengguan(hotline: Any) -> None:
    request = services.request_create(
        actor=hotline.city.olivia, data=hotline.new(category=hotline.street_vending)
    )
    assert request.lead_unit == hotline.chengguan
    assert request.due_resolution_at and request.dispatched_at
    assert request.due_resolution_at - request.dispatched_at == timedelta(hours=4)


def test_no_category_goes_to_triage_and_operator_dispatches_by_hand(hotline: Any) -> None:
    c = hotline.city
    request = services.request_create(actor=c.olivia, data=hotline.new(category=None))
    assert request.status == Status.RECEIVED
    request = services.request_dispatch(
        actor=c.olivia,
        request=request,
        category=hotline.lift,
        lead_unit=hotline.zhujian,
        assisting=[hotline.sub_a_unit],
        note="电梯归住建局管理",
    )
    assert request.lead_unit == hotline.zhujian
    event = RequestEvent.objects.get(request=request, action=Action.DISPATCH)
    assert event.data["rule"] is None and event.data["rule_label"].startswith("人工指定")


def test_full_cycle_sign_reply_verify_rate_close(hotline: Any) -> None:
    c = hotline.city
    request = services.request_create(actor=c.olivia, data=hotline.new())
    request = services.request_sign(actor=hotline.hank, request=request)
    assert request.responded_at is not None
    request = services.request_reply(
        actor=hotline.hank, request=request, reply="已联系物业更换电机，电梯恢复运行"
    )
    assert request.status == Status.REPLIED
    assert not Notification.objects.filter(
        dedupe_key__startswith=f"rate:{request.pk}"
    ).exists()  # waits for check
    request = services.request_verify(
        actor=c.alice, request=request, confirmed=True, note="现场查看电梯运行正常"
    )
    assert request.status == Status.VERIFIED
    assert Notification.objects.filter(dedupe_key=f"rate:{request.pk}:0").exists()
    rating = services.request_rate_by_link(
        token=request.rating_token,
        contacted=True,
        resolution="solved",
        satisfaction="satisfied",
        comment="很及时",
    )
    request.refresh_from_db()
    assert request.status == Status.CLOSED and request.closed_at is not None
    assert rating.unit == hotline.sub_a_unit
    actions = list(RequestEvent.objects.filter(request=request).values_list("action", flat=True))
    assert actions == ["receive", "dispatch", "sign", "reply", "verify", "rate", "close"]


def test_unsatisfied_rating_reopens_with_new_clocks(hotline: Any) -> None:
    c = hotline.city
    request = services.request_create(actor=c.olivia, data=hotline.new(category=hotline.noise))
    services.request_sign(actor=hotline.hank, request=request)
    request = services.request_reply(actor=hotline.hank, request=request, reply="已劝导施工方")
    services.request_rate_by_link(
        token=request.rating_token,
        contacted=False,
        resolution="unsolved",
        satisfaction="unsatisfied",
        comment="还在施工",
    )
    request.refresh_from_db()
    assert request.status == Status.DISPATCHED
    assert request.reopen_count == 1
    assert Rating.objects.get(request=request).round == 1


def test_two_handlers_sign_at_once_one_wins(hotline: Any) -> None:
    c = hotline.city
    request = services.request_create(actor=c.olivia, data=hotline.new())
    stale_version = request.version
    services.request_sign(actor=hotline.hank, request=request, expected_version=stale_version)
    with pytest.raises(Conflict) as excinfo:
        services.request_sign(actor=hotline.hank, request=request, expected_version=stale_version)
    assert "您的另一个页面或窗口" in excinfo.value.message  # the same handler's second tab
    assert RequestEvent.objects.filter(request=request, action=Action.SIGN).count() == 1


def test_outsider_cannot_sign_and_nothing_changes(hotline: Any) -> None:
    c = hotline.city
    request = services.request_create(actor=c.olivia, data=hotline.new())
    audits = AuditLog.objects.count()
    for outsider in (hotline.dora, c.carol, c.alice):
        with pytest.raises(PermissionDenied):
            services.request_sign(actor=outsider, request=request)
    request.refresh_from_db()
    assert request.status == Status.DISPATCHED
    assert AuditLog.objects.count() == audits


def test_bad_intake_names_every_field_and_creates_nothing(hotline: Any) -> None:
    from civicgrid.requests.models import Request

    with pytest.raises(ValidationError) as excinfo:
        services.request_create(
            actor=hotline.city.olivia,
            data=hotline.new(title="", content="", requester_phone="123", lat=999, type="x"),
        )
    assert set(excinfo.value.errors) >= {"title", "content", "requester_phone", "lat", "type"}
    assert not Request.objects.exists()


def test_a_point_far_from_every_grid_is_refused_a_near_one_kept(hotline: Any) -> None:
    """Beijing's coordinates for a Wuxi request are a mistake; a point just past the last grid
    is not (it goes to the operator's area, with its point)."""
    from civicgrid.requests.models import Request

    with pytest.raises(ValidationError) as excinfo:
        services.request_create(actor=hotline.city.olivia, data=hotline.new(lon=116.4, lat=39.9))
    assert set(excinfo.value.errors) == {"lon", "lat"} and "请核对经纬度" in excinfo.value.errors["lon"][0]
    assert not Request.objects.exists()
    near = services.request_create(actor=hotline.city.olivia, data=hotline.new(lon=120.33, lat=31.575))
    assert near.lon == 120.33


def test_return_needs_approval_then_goes_back_to_triage(hotline: Any) -> None:
    c = hotline.city
    request = services.request_create(actor=c.olivia, data=hotline.new())
    services.request_return(actor=hotline.hank, request=request, reason="属于物业合同纠纷", not_ours=True)
    request.refresh_from_db()
    assert request.status == Status.RETURN_PENDING
    with pytest.raises(PermissionDenied):
        services.request_return_decide(actor=hotline.hank, request=request, approve=True)
    request = services.request_return_decide(actor=c.olivia, request=request, approve=True, note="同意")
    assert request.status == Status.RECEIVED and request.lead_unit is None


def test_suspension_pauses_and_extension_moves_the_deadline(hotline: Any) -> None:
    c = hotline.city
    request = services.request_create(actor=c.olivia, data=hotline.new(category=hotline.street_vending))
    services.request_sign(actor=hotline.dora, request=request)
    due = request.due_resolution_at
    assert due is not None
    request = services.request_suspend(actor=c.olivia, request=request, reason="等待诉求人提供照片")
    assert request.status == Status.SUSPENDED
    request = services.request_resume(actor=c.olivia, request=request)
    assert request.status == Status.SIGNED
    assert request.due_resolution_at is not None and request.due_resolution_at >= due
    services.request_extend(actor=hotline.dora, request=request, amount=2, reason="需协调摊主")
    request = services.request_extend_decide(actor=c.olivia, request=request, approve=True)
    assert request.due_resolution_at is not None
    assert request.due_resolution_at - due >= timedelta(hours=2)


def test_whistle_summons_departments_who_report_in(hotline: Any) -> None:
    c = hotline.city
    request = services.request_create(actor=c.olivia, data=hotline.new())
    services.request_sign(actor=hotline.hank, request=request)
    whistle = services.request_whistle(
        actor=hotline.hank,
        request=request,
        units=[hotline.chengguan],
        reason="违建拆除需城管执法",
        deadline=timezone.now() + timedelta(days=1),
    )
    summons = whistle.summonses.get()
    services.whistle_report_in(actor=hotline.dora, summons=summons, part="派执法队现场拆除")
    summons.refresh_from_db()
    assert summons.reported_at is not None
    with pytest.raises(PermissionDenied):
        services.whistle_report_in(actor=hotline.walt, summons=summons, part="x")


def test_consultation_is_answered_and_closed_at_once(hotline: Any) -> None:
    request = services.request_create(
        actor=hotline.city.olivia, data=hotline.new(type="consultation", category=hotline.policy_question)
    )
    assert request.status == Status.RECEIVED
    request = services.request_direct_close(
        actor=hotline.city.olivia, request=request, answer="按政策可报销70%"
    )
    assert request.status == Status.CLOSED
