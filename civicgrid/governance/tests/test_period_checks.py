"""Months and ranges asked of governance: a month not yet begun, a range over three years and
a bad filter are refused on the pages (above the form, 422, default figures), the recompute
POST (before computing, nothing stored), the API and the ``governance_hot`` command; the
priority page calls no subdistrict's load high when the area has no requests."""

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from civicgrid.core.models import AuditLog
from civicgrid.governance.models import HotIssueRun
from civicgrid.governance.seasonal import priority_subdistricts
from civicgrid.governance.tests.test_api import Caller
from civicgrid.requests.rates.cells import current_month
from civicgrid.requests.rates.figures import add_months
from civicgrid.requests.tests.conftest import Hotline

pytestmark = pytest.mark.django_db

NEXT_MONTH = f"{add_months(current_month(), 1):%Y-%m}"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _residents(hotline: Hotline) -> None:
    from civicgrid.registry.models import Resident

    city = hotline.city
    for node in (city.grid_a1_1, city.grid_b1_1):
        Resident.objects.bulk_create(
            [Resident(node=node, node_path=node.path, name=f"居民{k}") for k in range(10)]
        )


def test_no_subdistrict_has_a_high_load_in_a_month_without_requests(hotline: Hotline) -> None:
    _residents(hotline)
    report = priority_subdistricts(hotline.city.dave, date(2020, 1, 1))
    assert [r.residents for r in report.rows] == [10, 10]
    assert all(r.counts.received == 0 for r in report.rows)
    assert [r.reasons for r in report.rows] == [[], []]
    page = client_for(hotline.city.dave).get("/governance/priority/", {"month": "2020-01"})
    assert page.status_code == 200 and "每万人诉求量高" not in page.content.decode()


def test_priority_page_refuses_a_month_not_begun_above_its_form(hotline: Hotline) -> None:
    dave = client_for(hotline.city.dave)
    for month, reason in ((NEXT_MONTH, "尚未开始"), ("2099-01", "尚未开始"), ("2025-13", "YYYY-MM")):
        page = dave.get("/governance/priority/", {"month": month})
        html = page.content.decode()
        assert page.status_code == 422, month
        assert "筛选条件有误" in html and reason in html
        assert 'name="month"' in html and "崇安寺街道" in html  # the form and the default figures
        assert "无法完成操作" not in html
    # This month has begun: shown.
    assert dave.get("/governance/priority/", {"month": f"{current_month():%Y-%m}"}).status_code == 200


def test_hot_page_refuses_bad_filters_above_its_form(hotline: Hotline) -> None:
    city = hotline.city
    dave = client_for(city.dave)
    cases = (
        ({"month": "2099-01"}, "尚未开始"),
        ({"month": NEXT_MONTH}, "尚未开始"),
        ({"month": "2025-13"}, "YYYY-MM"),
        ({"node": "abc"}, "区域参数无效"),
        ({"start": "1900-01-01", "end": "2999-12-31"}, "统计区间最长三年"),
        ({"start": "2026-05-01", "end": "2026-04-01"}, "结束日期不能早于开始日期"),
    )
    for params, reason in cases:
        page = dave.get("/governance/", params)
        html = page.content.decode()
        assert page.status_code == 422, params
        assert "筛选条件有误" in html and reason in html, params
        assert 'name="month"' in html and 'name="node"' in html and "无法完成操作" not in html
    # A node the reader may not see stays a 404, as on the rates page.
    assert client_for(city.carol).get("/governance/", {"node": str(city.comm_a1.pk)}).status_code == 404
    assert not HotIssueRun.objects.exists()


def test_recompute_refuses_before_computing(hotline: Hotline) -> None:
    city = hotline.city
    dave = client_for(city.dave)
    tomorrow = timezone.localdate() + timedelta(days=1)
    cases = (
        ({"start": "1900-01-01", "end": "2999-12-31"}, "统计区间最长三年"),
        ({"start": str(tomorrow), "end": str(tomorrow + timedelta(days=30))}, "尚无数据"),
        ({"start": "2026-05-01", "end": "2026-04-01"}, "结束日期不能早于开始日期"),
        ({"start": "", "end": ""}, "开始日期"),
    )
    for params, reason in cases:
        answer = dave.post("/governance/hot/recompute/", {"node": city.district.pk, **params})
        html = answer.content.decode()
        assert answer.status_code == 422, params
        assert reason in html and "筛选条件有误" in html and 'name="month"' in html, params
    assert not HotIssueRun.objects.exists()
    assert not AuditLog.objects.filter(verb="governance.hot_computed").exists()
    today = timezone.localdate()
    ok = dave.post(
        "/governance/hot/recompute/", {"node": city.district.pk, "start": str(today), "end": str(today)}
    )
    assert ok.status_code == 302 and HotIssueRun.objects.count() == 1


def test_api_refuses_months_not_begun_and_long_ranges(hotline: Hotline) -> None:
    city = hotline.city
    dave = Caller(city.dave)
    for params in ({"month": "2099-01"}, {"month": NEXT_MONTH}, {"start": "1900-01-01", "end": "2999-12-31"}):
        got = dave.get("/hot-issues", node=city.district.pk, **params)
        assert got.status_code == 422 and got.json()["code"] == "invalid", params
        query = "&".join(f"{k}={v}" for k, v in params.items())
        made = dave.post(f"/hot-issues/compute?node={city.district.pk}&{query}")
        assert made.status_code == 422 and made.json()["code"] == "invalid", params
    refused = dave.get("/priority", month="2099-01")
    assert refused.status_code == 422 and "尚未开始" in refused.json()["message"] + str(refused.json())
    assert dave.get("/priority", month=f"{current_month():%Y-%m}").status_code == 200
    assert not HotIssueRun.objects.exists()


def test_hot_command_refuses_months_not_begun_and_long_ranges(hotline: Hotline) -> None:
    code = hotline.city.district.code
    for args in (
        ("--month", "2099-01"),
        ("--month", NEXT_MONTH),
        ("--start", "1900-01-01", "--end", "2999-12-31"),
        ("--start", "2099-01-01", "--end", "2099-01-31"),
    ):
        with pytest.raises(CommandError) as refused:
            call_command("governance_hot", "--node", code, *args, stdout=io.StringIO())
        assert "尚" in str(refused.value) or "三年" in str(refused.value), args
    assert not HotIssueRun.objects.exists()
