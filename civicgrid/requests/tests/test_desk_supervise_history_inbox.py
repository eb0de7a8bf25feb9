"""Found by an outside tester (operator, handler, leader):

- the 督办 form said "…报结果。。本次为第 2 次督办";
- a consultation closed on the spot showed 待派单 in the caller's history;
- a caller told to follow an existing request (跟进此件) did not find it in their history;
- a suspended request showed 绿 in the inbox and counted in the green total;
- the console said a request without a category always goes to triage;
- the response tiers' labels claimed hours (一级（2小时）) that many catalogue leaves do not have.
"""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.requests import services
from civicgrid.requests.constants import Action, ResponseTier, Status
from civicgrid.requests.models import Request, RequestEvent
from civicgrid.requests.tests.test_pages import console_post

pytestmark = pytest.mark.django_db

HISTORY = "/requests/console/history/"


def test_the_form_adds_a_full_stop_only_when_the_note_has_none(client: Client, hotline: Any) -> None:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    dave, url = hotline.city.dave, f"/requests/{request.pk}/act/supervise/"
    services.request_supervise(actor=dave, request=request, note="请三日内报结果。")
    client.force_login(dave)
    form = client.get(url).content.decode()
    assert "请三日内报结果。本次为第 2 次督办" in form and "。。" not in form
    services.request_supervise(actor=dave, request=Request.objects.get(pk=request.pk), note="请三日内解决")
    assert "请三日内解决。本次为第 3 次督办" in client.get(url).content.decode()


def test_a_consultation_closed_at_once_is_not_awaiting_dispatch_in_the_history(
    client: Client, hotline: Any
) -> None:
    olivia = hotline.city.olivia
    client.force_login(olivia)
    data = console_post(
        hotline, type="consultation", category=hotline.policy_question.pk, answer="可到社保窗口办理。"
    )
    data["direct_close"] = "1"
    assert client.post("/requests/console/", data).status_code == 302
    closed = Request.objects.get(type="consultation")
    assert closed.status == Status.CLOSED and closed.lead_unit is None
    waiting = services.request_create(actor=olivia, data=hotline.new(title="路灯不亮"), dispatch=False)
    assert waiting.status == Status.RECEIVED
    html = client.get(HISTORY, {"requester_phone": "13812345678"}).content.decode()
    rows = {
        number: line
        for number, line in re.findall(r">(\d{8}-\d+)</a>.*?<div class=\"line2\">(.*?)</div>", html, re.S)
    }
    assert "直接办结" in rows[closed.number] and "待派单" not in rows[closed.number]
    assert "待派单" in rows[waiting.number]


def test_a_caller_who_followed_a_request_finds_it_in_their_history(client: Client, hotline: Any) -> None:
    first = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    client.force_login(hotline.city.olivia)
    assert first.number not in client.get(HISTORY, {"requester_phone": "13900001111"}).content.decode()
    response = client.post(
        "/requests/console/",
        console_post(hotline, title="电梯又停运了", requester_phone="139-0000-1111", follow=first.pk),
    )
    assert response.status_code == 302 and Request.objects.count() == 1
    for typed in ("13900001111", "+86 139 0000 1111"):
        html = client.get(HISTORY, {"requester_phone": typed}).content.decode()
        assert first.number in html and "曾来电跟进" in html, typed
        assert "138****5678" not in html  # the first caller is not shown to the second
    note = RequestEvent.objects.get(request=first, action=Action.NOTE)
    assert "13900001111" not in str(note.data) and "13900001111" not in note.note
    # The first caller's own history is as before.
    own = client.get(HISTORY, {"requester_phone": "13812345678"}).content.decode()
    assert first.number in own and "曾来电跟进" not in own and "138****5678" in own
    # The phone's blind index stays inside: the API's history rows leave it out.
    events = client.get(f"/api/v1/requests/{first.pk}").json()["events"]
    followed = [e for e in events if e["action"] == Action.NOTE]
    assert followed and all("caller_phone_hash" not in e["data"] for e in followed)


def test_a_suspended_request_has_no_light_in_the_inbox(client: Client, hotline: Any) -> None:
    olivia, hank = hotline.city.olivia, hotline.hank
    running = services.request_create(actor=olivia, data=hotline.new())
    paused = services.request_create(actor=olivia, data=hotline.new(title="楼道灯坏"))
    services.request_sign(actor=hank, request=paused)
    services.request_suspend(actor=olivia, request=Request.objects.get(pk=paused.pk), reason="等待配件")
    client.force_login(hank)
    html = client.get("/requests/inbox/").content.decode()
    green = re.search(r'light-stat-green"[^>]*><div class="n">(\d+)<', html)
    assert green is not None and green.group(1) == "1"
    row = re.search(
        rf"<tr class=\"row-[a-z]+\">(?:(?!</tr>).)*{paused.number}(?:(?!</tr>).)*</tr>", html, re.S
    )
    assert row is not None and "挂起" in row.group(0) and "绿" not in row.group(0)
    by_light = client.get("/requests/inbox/", {"light": "green"}).content.decode()
    assert running.number in by_light and paused.number not in by_light


def test_the_console_hint_says_unclassified_requests_may_be_dispatched(client: Client, hotline: Any) -> None:
    client.force_login(hotline.city.olivia)
    html = client.get("/requests/console/").content.decode()
    assert "不选分类的诉求进入分拣派单队列" not in html
    assert "有把握的按其分类自动派单" in html


def test_tier_labels_claim_no_limit(client: Client, hotline: Any) -> None:
    for label in ResponseTier.labels:
        assert not re.search(r"\d|小时|工作日", str(label)), label
    client.force_login(hotline.city.olivia)
    html = client.get(reverse("requests:catalogue")).content.decode()
    vending = re.search(r"<td>占道经营</td>(?:(?!</tr>).)*</tr>", html, re.S)
    assert vending is not None  # tier 3 by default, 2 hours to respond: the label says no days
    assert "三级响应" in vending.group(0) and "工作日" not in vending.group(0)


def test_the_request_page_gives_the_leaf_s_own_limits_beside_its_tier(client: Client, hotline: Any) -> None:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    leaf = request.category
    assert leaf is not None
    client.force_login(hotline.city.olivia)
    html = client.get(f"/requests/{request.pk}/").content.decode()
    response = f"响应时限 {leaf.response_limit:g} {leaf.get_response_unit_display()}"
    resolution = f"办理时限 {leaf.resolution_limit:g} {leaf.get_resolution_unit_display()}"
    assert leaf.get_response_tier_display() in html and response in html and resolution in html
