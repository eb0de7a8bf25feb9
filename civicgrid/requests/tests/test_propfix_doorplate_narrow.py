"""The doorplate print pages on a phone (390 px): the screen view fits the screen, printing
keeps the A4 sheet. In a real browser (headless Chromium, Playwright); skipped when either is
missing."""

from typing import Any

import pytest

from civicgrid.core.tests.browser import MARKS, signed_in_page

pytest.importorskip("playwright.sync_api", reason="Playwright 未安装（pip install playwright）")
pytestmark = MARKS

WIDER = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 5)
  .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def test_the_doorplate_print_pages_fit_a_phone_and_print_on_a4(
    browser: Any, live_server: Any, city: Any
) -> None:
    """Before: div.sheet.one and section.plate were 794 px wide on a 390 px screen."""
    page = signed_in_page(browser, live_server.url, "bob", sign_in_timeout=30000, timeout=15000)
    page.set_viewport_size({"width": 390, "height": 844})
    for path in (
        f"/requests/doorplate/print/{city.building_a1.pk}/",
        f"/requests/doorplate/batch/{city.grid_a1_1.pk}/",
    ):
        answer = page.goto(f"{live_server.url}{path}")
        assert answer is not None and answer.status == 200, path
        assert page.locator("section.plate").count() >= 1
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, page.evaluate(WIDER))
        qr = page.locator("section.plate .plate-qr svg").first.bounding_box()
        assert qr is not None and qr["width"] >= 200, qr  # still a scannable code
    page.goto(f"{live_server.url}/requests/doorplate/print/{city.building_a1.pk}/")
    page.emulate_media(media="print")
    sheet = page.locator("div.sheet.one").bounding_box()
    assert sheet is not None and round(sheet["width"]) == 794  # 210 mm
