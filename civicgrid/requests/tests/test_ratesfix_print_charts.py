"""The charts of the ranking, the rates and the overview fit their page (outside tester, the
district leader printing on A4): the ECharts canvas kept its screen width (~1340 px) inside a
~690 px printed page, bars past the frame, the trend's last months lost, and a narrowed
window left it as wide. Each chart now follows its box on a window resize, before printing
(its share of an A4 page), under print media and back after printing
(``static/civicgrid/chart-fit.js``). In a real browser (headless Chromium, Playwright)."""

from typing import Any

import pytest

from civicgrid.core.tests.browser import MARKS, signed_in_page
from civicgrid.requests.tests.conftest import Hotline
from civicgrid.requests.tests.test_rates import at, last_month, make_request, rate

pytest.importorskip("playwright.sync_api", reason="Playwright 未安装（pip install playwright）")
pytestmark = MARKS

PRINTED = 700  # px: an A4 page less its margins is some 680–690 px wide


def _ratings(hotline: Hotline) -> None:
    """Last month: sub A's unit rated nine times (enough to be ranked)."""
    month = last_month()
    for i in range(9):
        request = make_request(hotline.city.grid_a1_1, hotline.sub_a_unit, at(month.replace(day=1 + i)))
        rate(request, at(month.replace(day=1 + i), 11)).save()


# The chart drawn as wide as its box's content (its padding left out, as ECharts measures it).
FITTED = """(() => { const el = document.querySelector(SELECTOR), style = getComputedStyle(el);
  const inner = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return echarts.getInstanceByDom(el).getWidth() === Math.floor(inner); })()"""


def _width(page: Any, selector: str) -> Any:
    """The chart's drawn width against its box's."""
    return page.evaluate(
        f"""(() => {{ const el = document.querySelector({selector!r});
        const c = echarts.getInstanceByDom(el), style = getComputedStyle(el);
        const inner = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return [c.getWidth(), Math.floor(inner)]; }})()"""
    )


@pytest.mark.parametrize(
    ("path", "selector"),
    [
        ("/requests/rates/ranking/?month={month}", ".rank-chart"),
        ("/requests/rates/?month={month}", "#trend"),
        ("/requests/overview/", "#daily"),
    ],
)
def test_a_chart_follows_its_box_and_the_printed_page(
    browser: Any, live_server: Any, hotline: Hotline, path: str, selector: str
) -> None:
    _ratings(hotline)
    page = signed_in_page(browser, live_server.url, "dave", sign_in_timeout=30000, timeout=15000)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(live_server.url + path.format(month=f"{last_month():%Y-%m}"))
    page.wait_for_function(
        f"window.echarts && echarts.getInstanceByDom(document.querySelector({selector!r}))"
    )
    wide, box = _width(page, selector)
    assert wide == box > 1000
    page.set_viewport_size({"width": 700, "height": 900})  # a narrowed window
    page.wait_for_function(FITTED.replace("SELECTOR", repr(selector)))
    narrow, box = _width(page, selector)
    assert narrow == box < 700
    page.set_viewport_size({"width": 1400, "height": 900})
    page.wait_for_function(FITTED.replace("SELECTOR", repr(selector)))
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")  # what printing fires first
    printed, box = _width(page, selector)
    assert printed <= PRINTED < box
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    back, box = _width(page, selector)
    assert back == box > 1000
