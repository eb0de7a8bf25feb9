"""Where the focus goes after a refusal, in a real browser (headless Chromium, Playwright):
the console's first invalid field, and the field of a refused action form swapped in by htmx.
Skipped when Playwright or ``/usr/bin/chromium`` is missing."""

from typing import Any

import pytest

from civicgrid.core.tests.browser import MARKS, signed_in_page
from civicgrid.requests import services
from civicgrid.requests.tests.conftest import Hotline

pytest.importorskip("playwright.sync_api", reason="Playwright 未安装（pip install playwright）")
pytestmark = MARKS


def _login(browser: Any, base: str, username: str) -> Any:
    """Signed in; the first page of a session may take long (a cold server on a busy machine)."""
    return signed_in_page(browser, base, username, sign_in_timeout=30000, timeout=10000)


def _focused(page: Any) -> str:
    return str(
        page.evaluate(
            "document.activeElement ? document.activeElement.id || document.activeElement.tagName : ''"
        )
    )


def test_focus_after_a_refusal_and_the_category_combobox(
    browser: Any, live_server: Any, hotline: Hotline
) -> None:
    """Before: the afterSwap handler focused the removed form's field, leaving <body>; the
    console focused 来电号码 whatever was wrong. (One test: the live server's database is
    flushed between tests.)"""
    page = _login(browser, live_server.url, "hank")
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    services.request_sign(actor=hotline.hank, request=r)
    page.goto(f"{live_server.url}/requests/{r.pk}/")
    page.click("#actions a[data-action=reply]")
    form = page.wait_for_selector("form.action-form[data-action=reply]")
    form.query_selector("[name=reply]").fill(" ")
    form.query_selector("button[type=submit]").click()
    page.wait_for_selector(f"#a{r.pk}_reply_error")
    page.wait_for_function(f"document.activeElement && document.activeElement.id === 'a{r.pk}_reply'")
    assert _focused(page) == f"a{r.pk}_reply"

    # The console: the first invalid field has the focus; the category search is a combobox.
    page = _login(browser, live_server.url, "olivia")
    page.goto(f"{live_server.url}/requests/console/")
    assert _focused(page) == "id_requester_phone"
    page.fill("#id_requester_phone", "13812345678")
    page.fill("#id_content", "楼下很吵")
    page.fill("#id_lon", "东经")
    page.click("button.primary-submit")
    page.wait_for_selector("#id_lon_error")
    assert _focused(page) == "id_title"
    # Enter in the category search with a list open chooses; the live region says so.
    page.fill("#id_title", "夜间施工")
    page.fill("#category-q", "停水")
    page.wait_for_selector("#category-list li[data-id]")
    assert page.get_attribute("#category-q", "aria-expanded") == "true"
    active = page.get_attribute("#category-q", "aria-activedescendant")
    assert active and page.get_attribute(f"#{active}", "role") == "option"
    page.press("#category-q", "Enter")
    assert page.get_attribute("#category-q", "aria-expanded") == "false"
    assert (page.text_content("#category-chosen ~ .picker-said") or "").startswith("已选分类：")
