"""Exports a community office needs (outside tester): an account's movements, an area's
movements for a period, redemption records for a period (with the donor unit, to reconcile)
and the leaderboard, as Excel with Chinese headers, phones masked, only the actor's area,
each audited as an export."""

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from civicgrid.core.models import AuditLog
from civicgrid.points import services
from civicgrid.points.selectors import account_for
from civicgrid.points.tests.conftest import PointsWorld, earn

pytestmark = pytest.mark.django_db
EXPORTED = "exchange.exported"


def sheet_rows(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [tuple(row) for row in book.active.iter_rows(values_only=True)]


def staff(pw: PointsWorld) -> Client:
    client = Client()
    client.force_login(pw.city.bob)
    return client


def test_points_exports(pw: PointsWorld) -> None:
    earn(pw, pw.erin, 30, "a")
    earn(pw, pw.frank, 12, "b")
    redemption = services.points_redeem(actor=pw.erin_user, holder=pw.erin, goods=pw.soap)
    client = staff(pw)
    account = account_for(pw.erin)
    assert account is not None
    today = timezone.localdate().isoformat()

    page = client.get(reverse("points:account", args=[account.pk])).content.decode()
    assert "?format=xlsx" in page
    rows = sheet_rows(client.get(reverse("points:account", args=[account.pk]), {"format": "xlsx"}))
    assert rows[0][:3] == ("时间", "类型", "积分")
    assert sorted(r[2] for r in rows[1:]) == [-10, 30]

    area: dict[str, Any] = {"community": pw.city.comm_a1.pk, "since": today, "until": today}
    assert "导出社区积分流水" in client.get(reverse("points:accounts")).content.decode()
    rows = sheet_rows(client.get(reverse("points:movements_export"), area))
    assert rows[0][:4] == ("时间", "发生区域", "姓名 / 单位", "联系电话")
    assert sorted((r[2], r[5]) for r in rows[1:]) == [("张小燕", -10), ("张小燕", 30), ("李大方", 12)]
    bad = client.get(reverse("points:movements_export"), {**area, "since": "2030-01-01"})
    assert bad.status_code == 302  # refused (until before since) back to the page, nothing exported

    rows = sheet_rows(client.get(reverse("points:redemptions"), {"format": "xlsx", "since": today}))
    assert rows[0][:6] == ("兑换时间", "取货码", "兑换人", "联系电话", "商品", "捐赠单位")
    assert [(r[1], r[2], r[4], r[5], r[7]) for r in rows[1:]] == [
        (redemption.code, "张小燕", "洗衣皂", "胜利门便民超市", 10)
    ]
    earlier = client.get(reverse("points:redemptions"), {"format": "xlsx", "until": "2020-01-01"})
    assert sheet_rows(earlier)[1:] == []

    board: dict[str, Any] = {"community": pw.city.comm_a1.pk, "period": "month", "format": "xlsx"}
    rows = sheet_rows(client.get(reverse("points:leaderboard"), board))
    assert rows[0] == ("名次", "姓名 / 单位", "类型", "获得积分", "服务时长（小时）")
    assert [r[:4] for r in rows[1:]] == [(1, "张小燕", "个人", 30), (2, "李大方", "个人", 12)]

    assert AuditLog.objects.filter(verb=EXPORTED, actor_id=pw.city.bob.pk).count() == 5


def test_exports_stay_in_the_actors_area(pw: PointsWorld) -> None:
    earn(pw, pw.erin, 30, "a")
    account = account_for(pw.erin)
    assert account is not None
    carol = Client()
    carol.force_login(pw.city.carol)  # a community worker of 通江 (B1)
    assert carol.get(reverse("points:account", args=[account.pk]), {"format": "xlsx"}).status_code == 404
    refused = carol.get(reverse("points:movements_export"), {"community": pw.city.comm_a1.pk})
    assert refused.status_code == 302 and refused["Location"] == reverse("points:accounts")
    rows = sheet_rows(carol.get(reverse("points:redemptions"), {"format": "xlsx"}))
    assert rows[1:] == []
    assert AuditLog.objects.filter(verb=EXPORTED, actor_id=pw.city.carol.pk).count() == 1
