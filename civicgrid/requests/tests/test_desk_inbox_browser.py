"""The inbox's 全选 in a real browser (headless Chromium, Playwright): it ticked rows already
signed too, and the bulk sign then reported each of them as a failure. Skipped when
Playwright or ``/usr/bin/chromium`` is missing."""

from typing import Any

import pytest

from civicgrid.core.tests.browser import MARKS, signed_in_page
from civicgrid.requests import services
from civicgrid.requests.tests.conftest import Hotline

pytest.importorskip("playwright.sync_api", reason="Playwright 未安装（pip install playwright）")
pytestmark = MARKS


def test_select_all_ticks_only_what_can_be_signed(browser: Any, live_server: Any, hotline: Hotline) -> None:
    olivia = hotline.city.olivia
    waiting = services.request_create(actor=olivia, data=hotline.new())
    signed = services.request_create(actor=olivia, data=hotline.new(title="楼道灯坏"))
    services.request_sign(actor=hotline.hank, request=signed)
    page = signed_in_page(browser, live_server.url, "hank", sign_in_timeout=30000, timeout=10000)
    page.goto(f"{live_server.url}/requests/inbox/")
    page.check("#check-all")
    assert page.is_checked(f"input[name=ids][value='{waiting.pk}']")
    assert not page.is_checked(f"input[name=ids][value='{signed.pk}']")
    page.click("#bulk-sign")
    page.wait_for_selector(".sign-results")
    results = page.text_content(".sign-results") or ""
    assert waiting.number in results and signed.number not in results and "✗" not in results
    page.uncheck("#check-all")
    assert not page.is_checked(f"input[name=ids][value='{waiting.pk}']")
