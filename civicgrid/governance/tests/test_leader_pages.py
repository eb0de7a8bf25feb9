"""A district leader's report on /governance/: the period form, the alert figure's requests,
the map note without a setting's name, and a stored hot-issue run that says it is old."""

from collections.abc import Callable
from datetime import timedelta
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from civicgrid.governance.hot import hot_issues_compute
from civicgrid.governance.models import SpikeAlert
from civicgrid.governance.spikes import spike_scan
from civicgrid.governance.tests.test_spikes import BURST
from civicgrid.requests.models import Request
from civicgrid.requests.rates.cells import current_month
from civicgrid.requests.rates.figures import Period, add_months
from civicgrid.requests.tests.conftest import Hotline

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_month_and_a_range_together_are_refused_naming_both_fields(hotline: Hotline) -> None:
    asked = {"month": f"{current_month():%Y-%m}", "start": "2026-07-01", "end": "2026-09-30"}
    page = signed_in(hotline.city.dave).get("/governance/", asked)
    assert page.status_code == 422
    text = page.content.decode()
    assert "“月份”和“起止日期”只能填写一种" in text and "data-month-or-range" in text


def test_an_alert_figure_links_to_the_requests_it_counted(
    hotline: Hotline, make: Callable[..., Request]
) -> None:
    now = timezone.now()
    for i in range(7):
        make(*BURST[i % 2], at=now - timedelta(minutes=12 - i), grid="a1_1", category=hotline.water_outage)
    make(*BURST[0], at=now - timedelta(minutes=90), grid="a1_1", category=hotline.water_outage)  # before
    make(*BURST[0], at=now - timedelta(minutes=5), grid="a1_1", category=hotline.lift)  # another kind
    spike_scan(now=now)
    alert = SpikeAlert.objects.get()
    dave = signed_in(hotline.city.dave)
    listing = dave.get("/governance/alerts/").content.decode()
    assert f'<a href="/governance/alerts/{alert.pk}/">7（60分钟）</a>' in listing
    page = dave.get(f"/governance/alerts/{alert.pk}/")
    assert page.status_code == 200
    assert len(page.context["requests"]) == alert.observed == 7
    assert signed_in(hotline.city.carol).get(f"/governance/alerts/{alert.pk}/").status_code == 404


def test_the_map_note_names_no_setting(hotline: Hotline, settings: Any) -> None:
    settings.MAP_TILE_URL = ""
    page = signed_in(hotline.city.dave).get("/governance/").content.decode()
    assert "未配置底图，仅显示位置" in page and "CIVICGRID_MAP_TILE_URL" not in page


def test_a_stored_run_says_when_it_was_computed_and_what_came_since(
    hotline: Hotline, make: Callable[..., Request]
) -> None:
    city = hotline.city
    for _ in range(3):
        make("电梯停运", "3号楼电梯坏了", at=timezone.now() - timedelta(hours=1))
    period = Period.month(current_month())
    run = hot_issues_compute(actor=city.dave, node=city.district, period=period)
    for _ in range(2):  # received after the run: it has not counted them
        request = make("电梯又坏了", "电梯停运", grid="a1_1")
        Request.objects.filter(pk=request.pk).update(received_at=run.created_at + timedelta(seconds=1))
    text = signed_in(city.dave).get("/governance/", {"node": str(city.district.pk)}).content.decode()
    shown = f"{timezone.localtime(run.created_at):%Y-%m-%d %H:%M}"
    assert f"统计于 {shown}，此后新受理 2 件" in text
    assert f"共 {run.stats['requests']} 件诉求" in text


def test_the_priority_page_exports_and_prints(hotline: Hotline) -> None:
    dave = signed_in(hotline.city.dave)
    page = dave.get("/governance/priority/").content.decode()
    assert "format=xlsx" in page and "window.print()" in page and "@media print" in page
    month = add_months(current_month(), -1)
    response = dave.get("/governance/priority/", {"month": f"{month:%Y-%m}", "format": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    ws = load_workbook(BytesIO(response.content))["治理类街道"]
    names = [r[0].value for r in ws.iter_rows(min_row=2)]
    assert hotline.city.sub_a.name in names and ws.cell(1, 5).value == "评价件次"
