"""The outbox page (/notify/outbox/): the system and audit administrators read every queued
message (state, tries, last error) with the address masked, filtered and paged; the system
administrator sends a failed one again (idempotent, audited); nobody else sees it."""

from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from civicgrid.conftest import City
from civicgrid.core.models import AuditLog
from civicgrid.notify.backends import MemoryBackend
from civicgrid.notify.models import Channel, Notification, State
from civicgrid.notify.services import message_row, queue
from civicgrid.web.menu import menu_for

pytestmark = pytest.mark.django_db
MEMORY_BACKEND = "civicgrid.notify.backends.MemoryBackend"
MEMORY = {"sms": MEMORY_BACKEND, "email": MEMORY_BACKEND}
URL = "/notify/outbox/"


def _row(key: str, *, address: str = "13812345678", state: str = State.FAILED, **kw: Any) -> Notification:
    with transaction.atomic():
        row = message_row(
            dedupe_key=key,
            channel=kw.pop("channel", Channel.SMS),
            subject=kw.pop("subject", f"新工单 {key}"),
            body="张三 13812345678 反映…",
            recipient_label=kw.pop("label", "城管局 王五"),
            address=address,
        )
        row.state, row.attempts, row.last_error = state, kw.pop("attempts", 5), kw.pop("error", "网关超时")
        saved = queue(row)
    assert saved is not None
    return Notification.objects.get(pk=saved.pk)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rows() -> list[Notification]:
    # The test's transaction never commits, so nothing is drained: the states stay as set.
    return [
        _row("a", address="13812345678", error="网关说 13812345678 无效"),
        _row("b", address="zhangwei@example.cn", channel=Channel.EMAIL, subject="临期提醒"),
        _row("c", address="", label="社区「某某」", error="单位人员均未登记手机号"),
        _row("d", address="13900001111", state=State.SENT, attempts=1, error=""),
    ]


@pytest.mark.parametrize("who", ["sysadmin", "auditor"])
def test_the_administrators_read_it_with_addresses_masked(city: City, rows: Any, who: str) -> None:
    response = _client(getattr(city, who)).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "138****5678" in html and "z***@example.cn" in html and "139****1111" in html
    assert "13812345678" not in html and "13900001111" not in html and "zhangwei@" not in html
    assert "张三" not in html  # the body is never shown
    assert "网关说 138****5678 无效" in html  # a phone in a gateway's error is masked too
    assert "单位人员均未登记手机号" in html and "新工单 a" in html
    assert html.index("新工单 d") < html.index("新工单 a")  # newest first


@pytest.mark.parametrize("who", ["secadmin", "bob"])
def test_nobody_else_sees_it(city: City, rows: Any, who: str) -> None:
    user = getattr(city, who)
    assert _client(user).get(URL).status_code == 403
    assert _client(user).post(reverse("notify:retry", args=[rows[0].pk])).status_code == 403
    assert "通知发送记录" not in {str(item["label"]) for item in menu_for(user)}


def test_the_menu_links_it_for_both_administrators(city: City) -> None:
    for user in (city.sysadmin, city.auditor):
        assert {"label": "通知发送记录", "url": URL} in [
            {"label": str(i["label"]), "url": i["url"]} for i in menu_for(user)
        ]


def test_filters(city: City, rows: Any) -> None:
    client = _client(city.auditor)

    def subjects(**params: str) -> set[str]:
        response = client.get(URL, params)
        assert response.status_code == 200
        return {r.subject for r in Notification.objects.all() if r.subject in response.content.decode()}

    assert subjects(state=State.SENT) == {"新工单 d"}
    assert subjects(state=State.FAILED) == {"新工单 a", "临期提醒", "新工单 c"}
    assert subjects(channel=Channel.EMAIL) == {"临期提醒"}
    assert subjects(q="5678") == {"新工单 a"}  # the masked phone as shown
    assert subjects(q="138****5678") == {"新工单 a"}
    assert subjects(q="13812345678") == set()  # never a search in clear
    assert subjects(q="某某") == {"新工单 c"}  # the recipient's name
    Notification.objects.filter(dedupe_key="b").update(created_at="2020-01-02T08:00:00Z")
    assert subjects(date_from="2020-01-01", date_to="2020-01-03") == {"临期提醒"}


def test_bad_filters_keep_the_form_and_name_the_field(city: City, rows: Any) -> None:
    response = _client(city.sysadmin).get(URL, {"date_from": "2026-02-30", "q": "王五", "state": "x"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "开始日期应为有效日期" in html and "状态只能从列表中选择" in html
    assert 'value="2026-02-30"' in html and 'value="王五"' in html
    assert "新工单 a" not in html


@override_settings(NOTIFY_BACKENDS=MEMORY)
def test_retry_sends_a_failed_message_again_once_and_audits_it(
    city: City, rows: Any, django_capture_on_commit_callbacks: Any
) -> None:
    MemoryBackend.outbox.clear()
    client = _client(city.sysadmin)
    url = reverse("notify:retry", args=[rows[1].pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"back_state": "failed"})
    assert response.status_code == 302 and response["Location"] == f"{URL}?state=failed"
    row = Notification.objects.get(pk=rows[1].pk)
    assert row.state == State.SENT and row.attempts == 1  # drained after commit
    assert [m.address for m in MemoryBackend.outbox] == ["zhangwei@example.cn"]
    audit = AuditLog.objects.get(verb="notify.retried")
    assert audit.actor == city.sysadmin and audit.target_id == str(row.pk)
    assert audit.before == {"state": "failed", "attempts": 5, "last_error": "网关超时"}
    # Again (a double click): nothing sent, nothing audited.
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert len(MemoryBackend.outbox) == 1 and AuditLog.objects.filter(verb="notify.retried").count() == 1


def test_retry_of_a_message_to_nobody_is_refused_on_the_page(city: City, rows: Any) -> None:
    url = reverse("notify:retry", args=[rows[2].pk])
    response = _client(city.sysadmin).post(url, {"back_channel": "sms"})
    assert response.status_code == 422
    assert "没有接收地址" in response.content.decode() and "新工单 a" in response.content.decode()
    assert Notification.objects.get(pk=rows[2].pk).state == State.FAILED
    assert not AuditLog.objects.filter(verb="notify.retried").exists()


def test_the_auditor_reads_but_does_not_retry(city: City, rows: Any) -> None:
    client = _client(city.auditor)
    assert "重发" not in client.get(URL).content.decode()
    assert client.post(reverse("notify:retry", args=[rows[0].pk])).status_code == 403
    assert Notification.objects.get(pk=rows[0].pk).state == State.FAILED


def test_the_sysadmin_sees_retry_only_for_failed_messages_with_an_address(city: City, rows: Any) -> None:
    html = _client(city.sysadmin).get(URL).content.decode()
    assert html.count(">重发</button>") == 2  # a and b; c has no address, d was sent
    assert "无接收地址" in html
