"""A request sent back as 非本单位职责 waits in triage saying who refused it and why (page,
dispatch form, API row), and dispatch by the rules does not send it back to that unit; a
suspended request has no light in the API."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts.services import api_token_create
from civicgrid.core.errors import ValidationError
from civicgrid.requests import services
from civicgrid.requests.models import Request, RequestEvent, WorkOrder

pytestmark = pytest.mark.django_db

REASON = "该楼属于住建局直管公房"


def api(user: Any) -> Client:
    _, token = api_token_create(actor=None, system=True, user=user, name="测试")
    return Client(headers={"Authorization": f"Bearer {token}"})


def sent_back(hotline: Any, *, not_ours: bool = True, reason: str = REASON) -> Request:
    olivia = hotline.city.olivia
    request = services.request_create(actor=olivia, data=hotline.new())
    assert request.lead_unit == hotline.sub_a_unit  # by the rule 属地街道
    services.request_return(actor=hotline.hank, request=request, reason=reason, not_ours=not_ours)
    services.request_return_decide(actor=olivia, request=request, approve=True)
    request.refresh_from_db()
    assert request.status == "received"
    return request


def test_triage_the_dispatch_form_and_the_api_say_who_refused_it(client: Client, hotline: Any) -> None:
    claimed = sent_back(hotline)
    ordinary = sent_back(hotline, not_ours=False, reason="地址不详无法核实")
    olivia = hotline.city.olivia
    client.force_login(olivia)
    html = client.get("/requests/triage/").content.decode()
    pending = html[: html.index("退单待审")]
    assert pending.count("非本单位职责退回") == 1
    assert "崇安寺街道办事处（韩军" in pending and REASON in pending
    assert "地址不详无法核实" not in pending

    form = client.get(f"/requests/{claimed.pk}/act/dispatch/").content.decode()
    assert "申报非本单位职责退回" in form and REASON in form and "崇安寺街道办事处" in form
    assert "非本单位职责" not in client.get(f"/requests/{ordinary.pk}/act/dispatch/").content.decode()

    rows = {r["id"]: r for r in api(olivia).get("/api/v1/requests/triage").json()["results"]}
    assert rows[ordinary.pk]["not_ours"] is None
    shown = rows[claimed.pk]["not_ours"]
    assert (shown["unit_id"], shown["unit_name"], shown["reason"], shown["requested_by"]) == (
        hotline.sub_a_unit.pk,
        "崇安寺街道办事处",
        REASON,
        "韩军",
    )
    assert shown["approved_at"]


def test_dispatch_by_the_rules_does_not_send_it_back_to_the_refusing_unit(
    client: Client, hotline: Any
) -> None:
    request = sent_back(hotline)
    olivia = hotline.city.olivia
    before = (
        request.version,
        RequestEvent.objects.filter(request=request).count(),
        WorkOrder.objects.count(),
    )
    with pytest.raises(ValidationError) as refused:
        services.request_dispatch(actor=olivia, request=request)
    assert list(refused.value.errors) == ["lead_unit"]
    assert "崇安寺街道办事处" in refused.value.message and "非本单位职责" in refused.value.message

    client.force_login(olivia)
    page = client.post(f"/requests/{request.pk}/act/dispatch/", {"version": request.version})
    assert page.status_code == 422 and "请指定主办单位" in page.content.decode()
    answer = api(olivia).post(
        f"/api/v1/requests/{request.pk}/dispatch",
        {"expected_version": request.version},
        content_type="application/json",
    )
    assert answer.status_code == 422 and "非本单位职责" in answer.json()["message"]
    request.refresh_from_db()
    assert request.status == "received"
    assert (
        request.version,
        RequestEvent.objects.filter(request=request).count(),
        WorkOrder.objects.count(),
    ) == (before)

    # the operator chooses another unit: the claim is the reason for leaving the rules
    done = services.request_dispatch(actor=olivia, request=request, lead_unit=hotline.zhujian)
    assert done.lead_unit == hotline.zhujian
    event = RequestEvent.objects.filter(request=request, action="dispatch").latest("id")
    assert event.data["overridden"]["rule_lead"] == hotline.sub_a_unit.pk
    assert REASON in event.data["overridden"]["override_reason"]


def test_an_ordinary_return_is_dispatched_by_the_rules_as_before(hotline: Any) -> None:
    request = sent_back(hotline, not_ours=False, reason="地址不详")
    done = services.request_dispatch(actor=hotline.city.olivia, request=request)
    assert done.lead_unit == hotline.sub_a_unit


def test_a_suspended_request_has_no_light_in_the_api(hotline: Any) -> None:
    olivia = hotline.city.olivia
    request = services.request_create(actor=olivia, data=hotline.new())
    services.request_sign(actor=hotline.hank, request=request)
    services.request_suspend(actor=olivia, request=request, reason="等待业主委员会表决")
    request.refresh_from_db()
    assert request.status == "suspended"
    client = api(olivia)
    assert client.get(f"/api/v1/requests/{request.pk}").json()["light"] == ""
    listed = client.get("/api/v1/requests/", {"number": request.number}).json()["results"]
    assert [r["light"] for r in listed] == [""]
    services.request_resume(actor=olivia, request=request)
    assert client.get(f"/api/v1/requests/{request.pk}").json()["light"] == "green"
