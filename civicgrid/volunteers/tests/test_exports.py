"""Exports a community office needs (outside tester): the volunteer list and an activity's
sign-in sheet as Excel, Chinese headers, phones and ID numbers masked, only the actor's
area, each audited as an export."""

import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from civicgrid.core.models import AuditLog
from civicgrid.volunteers import services
from civicgrid.volunteers.tests.conftest import People, at, shift

pytestmark = pytest.mark.django_db
EXPORTED = "exchange.exported"


def sheet_rows(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [tuple(row) for row in book.active.iter_rows(values_only=True)]


def staff(people: People) -> Client:
    client = Client()
    client.force_login(people.city.bob)
    return client


def test_the_volunteer_list_is_exported_masked_and_scoped(people: People) -> None:
    client = staff(people)
    page = client.get(reverse("volunteers:people"))
    assert "导出Excel" in page.content.decode()
    rows = sheet_rows(client.get(reverse("volunteers:people"), {"format": "xlsx"}))
    assert rows[0][:4] == ("志愿者编号", "姓名", "身份证号", "联系电话")
    names = {r[1] for r in rows[1:]}
    assert names == {"张志强", "李秀英"}  # 孙通江 of 通江 is carol's, not bob's
    phones = {r[3] for r in rows[1:]}
    assert "13800000001" not in phones and all("****" in p for p in phones)
    entry = AuditLog.objects.get(verb=EXPORTED)
    assert entry.actor_id == people.city.bob.pk and entry.after is not None and entry.after["rows"] == 2
    filtered = sheet_rows(client.get(reverse("volunteers:people"), {"format": "xlsx", "q": "李"}))
    assert [r[1] for r in filtered[1:]] == ["李秀英"]


def test_an_activitys_sign_in_sheet(people: People) -> None:
    c = people.city
    a = people.activity(quota=2, difficulty=1, title="楼道清理")
    services.activity_signup(actor=people.zhang, activity=a)
    services.activity_signup(actor=people.li, activity=a)
    a = shift(a, started_ago=timedelta(hours=4))
    services.activity_check_in(actor=c.bob, activity=a, volunteer=people.v_zhang, at=at(a, -10))
    services.activity_check_out(actor=c.bob, activity=a, volunteer=people.v_zhang, at=at(a, 150))
    client = staff(people)
    url = reverse("volunteers:activity", args=[a.pk])
    assert "导出签到表" in client.get(url).content.decode()
    rows = sheet_rows(client.get(url, {"format": "xlsx"}))
    assert rows[0] == (
        "序号",
        "志愿者编号",
        "姓名",
        "联系电话",
        "状态",
        "报名时间",
        "签到时间",
        "签到方式",
        "签退时间",
        "签退方式",
        "服务时长（小时）",
        "获得积分",
    )
    by_name = {r[2]: r for r in rows[1:]}
    assert set(by_name) == {"张志强", "李秀英"}
    came = by_name["张志强"]
    assert came[6] and came[8] and float(came[10]) == 2.5 and came[11] not in (None, "")
    assert "13800000001" not in str(came[3])
    assert not by_name["李秀英"][6]
    entry = AuditLog.objects.get(verb=EXPORTED)
    assert entry.after is not None and entry.after["filters"] == {"activity": a.pk}
    # carol (another subdistrict) sees no such activity; nothing is exported for her
    other = Client()
    other.force_login(c.carol)
    assert other.get(url, {"format": "xlsx"}).status_code == 404
    assert AuditLog.objects.filter(verb=EXPORTED).count() == 1
