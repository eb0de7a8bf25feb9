"""A district leader on a phone (360 and 390 px wide), in a real browser (headless Chromium,
Playwright): dashboard cards two a row, a table's name column readable, chart axes scaled
to the figures. Skipped when Playwright or ``/usr/bin/chromium`` is missing."""

from datetime import date, timedelta
from typing import Any

import pytest

from civicgrid.core.tests.browser import MARKS, signed_in_page
from civicgrid.requests.tests.conftest import Hotline
from civicgrid.requests.tests.test_rates import at, last_month, make_request, rate

pytest.importorskip("playwright.sync_api", reason="Playwright 未安装（pip install playwright）")
pytestmark = MARKS

TOPS = "Array.from(document.querySelectorAll('.cards .stat')).slice(0, 2).map(s => s.offsetTop)"


def _ratings(hotline: Hotline) -> date:
    """Last month: sub A rated 9 times, 8 satisfied and solved (figures between 80 and 100)."""
    month = last_month()
    for i in range(9):
        request = make_request(hotline.city.grid_a1_1, hotline.sub_a_unit, at(month + timedelta(days=i)))
        bad = i == 0
        rate(
            request,
            at(month + timedelta(days=i), 11),
            resolution="partly" if bad else "solved",
            satisfaction="basic" if bad else "satisfied",
        ).save()
    return month


def test_phone_cards_names_and_chart_axes(browser: Any, live_server: Any, hotline: Hotline) -> None:
    month = _ratings(hotline)
    page = signed_in_page(browser, live_server.url, "dave", sign_in_timeout=30000, timeout=15000)
    for width in (360, 390):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server.url}/requests/rates/?unit={hotline.sub_a_unit.pk}&month={month:%Y-%m}")
        first, second = page.evaluate(TOPS)
        assert first == second, width  # two cards a row (the old 170 px minimum missed by 2 px)
        page.goto(f"{live_server.url}/governance/priority/")
        name = page.evaluate("document.querySelector('td.name').getBoundingClientRect().width")
        assert name >= 100, width  # not one or two characters a line
    page.goto(f"{live_server.url}/requests/rates/?unit={hotline.sub_a_unit.pk}&month={month:%Y-%m}")
    page.wait_for_function("window.echarts && echarts.getInstanceByDom(document.getElementById('trend'))")
    axis = page.evaluate("echarts.getInstanceByDom(document.getElementById('trend')).getOption().yAxis[0]")
    assert 0 < axis["min"] < 90 and "纵轴自" in axis["name"]  # the lowest figure is 90.00
    form = "form[data-month-or-range]"
    page.fill(f"{form} [name=start]", f"{month:%Y-%m}-01")
    assert page.input_value(f"{form} [name=month]") == ""  # a range clears the month
    page.fill(f"{form} [name=month]", f"{month:%Y-%m}")
    assert page.input_value(f"{form} [name=start]") == ""  # and a month the range
