"""A request page and the inbox on a 375px phone (headless Chromium, Playwright): the page is
no wider than the screen (a long unbroken number in a card, the map), and the inbox shows
剩余时间 and 期限 without scrolling sideways. Skipped when Playwright or ``/usr/bin/chromium``
is missing."""

from typing import Any

import pytest

from civicgrid.core.tests.browser import MARKS, signed_in_page
from civicgrid.requests import services
from civicgrid.requests.tests.conftest import Hotline

pytest.importorskip("playwright.sync_api", reason="Playwright 未安装（pip install playwright）")
pytestmark = MARKS

PHONE = {"width": 375, "height": 800}


def test_the_request_page_and_the_inbox_fit_a_phone(browser: Any, live_server: Any, hotline: Hotline) -> None:
    address = "滨湖区梁溪路" + "1234567890" * 6 + "号"  # one long unbroken run
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new(address=address))
    page = signed_in_page(browser, live_server.url, "hank", sign_in_timeout=30000, timeout=10000)
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/requests/{r.pk}/")
    page.wait_for_selector("#detail-map")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    right = page.evaluate(
        "Math.max(...[...document.querySelectorAll('.detail-grid, .detail-grid .card, #detail-map')]"
        ".map(e => e.getBoundingClientRect().right))"
    )
    assert right <= PHONE["width"]

    page.goto(f"{live_server.url}/requests/inbox/")
    page.wait_for_selector("table.inbox")
    edges = page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('table.inbox th')]"
        ".map(t => [t.textContent.trim(), t.getBoundingClientRect().right]))"
    )
    assert edges["剩余时间"] <= PHONE["width"] and edges["期限"] <= PHONE["width"], edges
    assert r.number in page.content()
