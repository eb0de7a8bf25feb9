"""Direct close only for consultations, the alarm's clocks, the inbox's order, the public look-up."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from civicgrid.core.errors import ValidationError
from civicgrid.requests import selectors, services
from civicgrid.requests.constants import Light, RequestType, Status
from civicgrid.requests.doorplate import doorplate_token
from civicgrid.requests.models import Request, RequestEvent, SavedAnswer
from civicgrid.requests.services.warnings import deadline_scan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def bearer(user: Any) -> dict[str, str]:
    from civicgrid.accounts.services import api_token_create

    _, token = api_token_create(actor=None, system=True, user=user, name="测试")
    return {"Authorization": f"Bearer {token}"}


# --- 1. direct close ------------------------------------------------------------------------------


def test_a_complaint_cannot_be_closed_directly_by_page_or_api(hotline: Any) -> None:
    olivia = hotline.city.olivia
    complaint = services.request_create(actor=olivia, data=hotline.new(), dispatch=False)
    assert complaint.status == Status.RECEIVED
    with pytest.raises(ValidationError) as refused:
        services.request_direct_close(actor=olivia, request=complaint, answer="已答复")
    assert "只有咨询类诉求可以直接办结" in refused.value.errors["type"][0]
    assert "投诉举报" in refused.value.errors["type"][0]

    client = Client()
    client.force_login(olivia)
    page = client.post(
        f"/requests/{complaint.pk}/act/direct_close/", {"answer": "已答复", "version": complaint.version}
    )
    assert page.status_code == 422 and "只有咨询类诉求可以直接办结" in page.content.decode()
    api = Client().post(
        f"/api/v1/requests/{complaint.pk}/direct-close",
        {"answer": "已答复"},
        "application/json",
        headers=bearer(olivia),
    )
    assert api.status_code == 422 and "只有咨询类诉求可以直接办结" in api.json()["detail"]["type"][0]
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED and complaint.closed_at is None and not complaint.direct_answer
    assert not RequestEvent.objects.filter(request=complaint, action="direct_close").exists()


def test_a_saved_answer_that_does_not_exist_is_refused(hotline: Any) -> None:
    olivia = hotline.city.olivia
    question = services.request_create(
        actor=olivia, data=hotline.new(type=RequestType.CONSULTATION, category=hotline.policy_question)
    )
    with pytest.raises(ValidationError) as refused:
        services.request_direct_close(actor=olivia, request=question, answer="可报销", saved_answer_id=999999)
    assert "saved_answer_id" in refused.value.errors
    api = Client().post(
        f"/api/v1/requests/{question.pk}/direct-close",
        {"answer": "可报销", "saved_answer_id": 999999},
        "application/json",
        headers=bearer(olivia),
    )
    assert api.status_code == 422 and "知识库答复不存在" in api.json()["detail"]["saved_answer_id"][0]
    question.refresh_from_db()
    assert question.status == Status.RECEIVED
    assert not RequestEvent.objects.filter(request=question, action="direct_close").exists()

    answer = SavedAnswer.objects.create(title="医保报销", content="可报销70%")
    closed = services.request_direct_close(
        actor=olivia, request=question, answer="可报销70%", saved_answer_id=answer.pk
    )
    assert closed.status == Status.CLOSED
    event = RequestEvent.objects.get(request=question, action="direct_close")
    assert event.data == {"saved_answer": answer.pk}
    answer.refresh_from_db()
    assert answer.use_count == 1


# --- 2. the doorplate alarm -----------------------------------------------------------------------


def test_the_alarm_without_a_category_runs_the_first_tiers_clocks(
    client: Client, hotline: Any, settings: Any
) -> None:
    settings.REQUESTS_ALARM_CATEGORY = ""
    building = hotline.city.building_a1
    url = reverse("requests:doorplate_alarm", args=[doorplate_token(building)])
    response = client.post(url, {"phone": "13912345678", "note": "楼道起火", "confirm": "1"})
    assert response.status_code == 302
    alarm = Request.objects.get()
    assert alarm.type == RequestType.EMERGENCY and alarm.category is None
    assert alarm.status == Status.DISPATCHED and alarm.dispatched_at is not None  # by the place rule
    start = alarm.dispatched_at
    assert alarm.due_response_at == start + timedelta(minutes=30)
    assert alarm.due_resolution_at == start + timedelta(hours=2)
    assert alarm.next_check_at is not None and alarm.next_check_at <= alarm.due_response_at
    assert alarm.light == Light.GREEN

    assert deadline_scan(now=start + timedelta(minutes=25))["warnings"] == 1  # response clock yellow
    alarm.refresh_from_db()
    assert alarm.light == Light.YELLOW
    deadline_scan(now=start + timedelta(hours=3))
    alarm.refresh_from_db()
    assert alarm.light == Light.RED


def test_an_emergency_call_dispatched_by_hand_from_triage_runs_the_first_tiers_clocks(
    hotline: Any,
) -> None:
    """An operator takes a 紧急 call, leaves the category for later and dispatches it from
    triage: its clocks run on the first tier, as the alarm's do (before: no deadline at all,
    never yellow, never red, never seen by the periodic scan)."""
    olivia = hotline.city.olivia
    call = services.request_create(
        actor=olivia, data=hotline.new(category=None, type=RequestType.EMERGENCY, title="燃气泄漏")
    )
    assert call.status == Status.RECEIVED and call.due_response_at is None  # waits in triage
    call = services.request_dispatch(actor=olivia, request=call, lead_unit=hotline.sub_a_unit)
    call.refresh_from_db()
    start = call.dispatched_at
    assert start is not None and call.category is None
    assert call.due_response_at == start + timedelta(minutes=30)
    assert call.due_resolution_at == start + timedelta(hours=2)
    assert call.next_check_at is not None
    deadline_scan(now=start + timedelta(hours=3))
    call.refresh_from_db()
    assert call.light == Light.RED


def test_triage_puts_an_emergency_and_then_critical_calls_first(hotline: Any, client: Client) -> None:
    """An outside tester's 燃气泄漏 (紧急, 特急) sat at the bottom of 26 ordinary reports."""
    olivia = hotline.city.olivia
    old = services.request_create(actor=olivia, data=hotline.new(category=None, title="路灯不亮"))
    urgent = services.request_create(
        actor=olivia, data=hotline.new(category=None, title="井盖缺失", urgency="critical")
    )
    gas = services.request_create(
        actor=olivia, data=hotline.new(category=None, type=RequestType.EMERGENCY, title="燃气泄漏")
    )
    assert list(selectors.triage_queue(olivia)) == [gas, urgent, old]
    client.force_login(olivia)
    html = client.get("/requests/triage/").content.decode()
    assert html.index(gas.number) < html.index(urgent.number) < html.index(old.number)
    assert html.count('class="pressing"') == 2


# --- 3. the inbox's order -------------------------------------------------------------------------


def test_the_inbox_puts_the_clock_that_ends_first_on_top(hotline: Any) -> None:
    olivia, hank = hotline.city.olivia, hotline.hank
    now = timezone.now()
    signed = services.request_create(actor=olivia, data=hotline.new())
    services.request_sign(actor=hank, request=signed)
    unsigned = services.request_create(actor=olivia, data=hotline.new())
    none = services.request_create(actor=olivia, data=hotline.new())
    Request.objects.filter(pk=signed.pk).update(due_resolution_at=now + timedelta(days=6))
    # Two hours to sign for it, its resolution deadline later than the signed one's.
    Request.objects.filter(pk=unsigned.pk).update(
        due_response_at=now + timedelta(hours=1, minutes=58), due_resolution_at=now + timedelta(days=7)
    )
    Request.objects.filter(pk=none.pk).update(due_response_at=None, due_resolution_at=None)
    order = list(selectors.inbox(hank).values_list("pk", flat=True))
    assert order == [unsigned.pk, signed.pk, none.pk]


# --- 4. the public look-up ------------------------------------------------------------------------


def test_the_public_similar_look_up_shows_the_category_not_the_residents_words(
    client: Client, hotline: Any
) -> None:
    private = services.request_create(
        actor=hotline.city.olivia, data=hotline.new(title="电梯停运，我家老人王秀英被困在家")
    )
    shown = client.get(
        reverse("requests:h5_similar"),
        {"title": "电梯停运", "content": "3号楼电梯坏了", "lon": "120.3052", "lat": "31.5751"},
    ).content.decode()
    assert "跟进这件" in shown and hotline.lift.name in shown
    assert private.title not in shown and "王秀英" not in shown and private.content not in shown
