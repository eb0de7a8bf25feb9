"""The year page of the working calendar on a phone-sized screen (390 px): nothing wider than
the screen. In a real browser (headless Chromium, Playwright); skipped when either is missing."""

from typing import Any

import pytest

from civicgrid.core.tests.browser import MARKS, signed_in_page

pytest.importorskip("playwright.sync_api", reason="Playwright 未安装（pip install playwright）")
pytestmark = MARKS

WIDER = """() => [...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 5)
  .map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))"""


def test_the_year_page_fits_a_390px_screen(browser: Any, live_server: Any, city: Any) -> None:
    """Before: the page scrolled sideways (scrollWidth 427 at 390 px): the form column kept the
    textarea's 44 columns and each month its 230 px."""
    page = signed_in_page(browser, live_server.url, "sysadmin", sign_in_timeout=30000, timeout=15000)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/workcal/2027/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, page.evaluate(WIDER)
