"""直接办结 by keyboard (headless Chromium, Playwright): Ctrl+Enter in the answer box, and Enter
in the title once an answer is given, close the consultation (before: they pressed the
default 登记 button and filed it open). Skipped when Playwright or Chromium is missing."""

from typing import Any

import pytest

from civicgrid.core.tests.browser import MARKS, signed_in_page
from civicgrid.requests.constants import Status
from civicgrid.requests.models import Request
from civicgrid.requests.tests.conftest import Hotline

pytest.importorskip("playwright.sync_api", reason="Playwright 未安装（pip install playwright）")
pytestmark = MARKS


def _consultation(page: Any, base: str, title: str) -> None:
    page.goto(f"{base}/requests/console/")
    page.fill("#id_requester_phone", "13812345678")
    page.keyboard.press("Alt+Digit5")  # 咨询 (data-key of the type radios)
    page.check("input[name=type][value=consultation]")
    page.fill("#id_title", title)
    page.fill("#id_content", "医保报销比例是多少")
    page.fill("#id_answer", "按现行医保政策执行，门诊报销比例为50%")


def test_the_answer_box_keys_close_the_consultation(browser: Any, live_server: Any, hotline: Hotline) -> None:
    page = signed_in_page(browser, live_server.url, "olivia", sign_in_timeout=30000, timeout=15000)
    _consultation(page, live_server.url, "医保报销咨询一")
    page.focus("#id_answer")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#result")
    first = Request.objects.get(title="医保报销咨询一")
    assert first.status == Status.CLOSED and first.direct_answer

    _consultation(page, live_server.url, "医保报销咨询二")
    page.focus("#id_title")
    page.keyboard.press("Enter")
    page.wait_for_selector("#result")
    second = Request.objects.get(title="医保报销咨询二")
    assert second.status == Status.CLOSED
