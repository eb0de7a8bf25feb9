"""The console by keyboard, in a real browser (headless Chromium, Playwright): Enter in the
category search chooses from the list of the text typed (not a list left over from shorter
text) and never submits the form; an urgency raised by 紧急 goes back when the type is
corrected; 取消 on a request's action form gives the focus back to the button that opened it.
Skipped when Playwright or ``/usr/bin/chromium`` is missing."""

from typing import Any

import pytest

from civicgrid.core.tests.browser import MARKS, signed_in_page
from civicgrid.requests import services
from civicgrid.requests.tests.conftest import Hotline, leaf

pytest.importorskip("playwright.sync_api", reason="Playwright 未安装（pip install playwright）")
pytestmark = MARKS


def _login(browser: Any, base: str, username: str) -> Any:
    return signed_in_page(browser, base, username, sign_in_timeout=30000, timeout=10000)


def _focused(page: Any) -> str:
    return str(
        page.evaluate(
            "document.activeElement ? document.activeElement.id || document.activeElement.tagName : ''"
        )
    )


def test_the_console_keyboard(browser: Any, live_server: Any, hotline: Hotline) -> None:
    """One test: the live server's database is flushed between tests."""
    service = leaf(hotline.version, "010102", ("城乡建设", "物业管理", "物业服务"))
    fee = leaf(hotline.version, "010103", ("城乡建设", "物业管理", "物业费纠纷"))
    page = _login(browser, live_server.url, "olivia")
    page.goto(f"{live_server.url}/requests/console/")

    # Enter in an empty category search does nothing (before: it submitted the whole form).
    page.evaluate("window.stillHere = true")
    page.focus("#category-q")
    page.press("#category-q", "Enter")
    page.wait_for_timeout(600)
    assert page.evaluate("window.stillHere === true")
    assert page.input_value("#id_category") == "" and not page.query_selector(".errorlist, [id$=_error]")

    # `wy` shows a list; `fjf` typed on and Enter at once: the answer for `wyfjf` is chosen,
    # not the first of the list still on screen (before: 物业服务).
    page.type("#category-q", "wy")
    page.wait_for_selector("#category-list li[data-id]")
    first = page.get_attribute("#category-list li[data-id]", "data-id")
    assert first == str(service.pk)
    page.type("#category-q", "fjf", delay=10)
    page.press("#category-q", "Enter")
    page.wait_for_function("document.getElementById('id_category').value !== ''")
    assert page.input_value("#id_category") == str(fee.pk)
    assert "物业费纠纷" in page.text_content("#category-chosen")
    assert page.evaluate("window.stillHere === true")

    # 紧急 raises 一般 to 特急; 投诉 instead puts 一般 back (before: it stayed 特急).
    assert page.input_value("#id_urgency") == "normal"
    page.keyboard.press("Alt+Digit6")
    assert page.input_value("#id_urgency") == "critical"
    page.keyboard.press("Alt+Digit3")
    assert page.input_value("#id_urgency") == "normal"
    # An urgency the operator chose stays whatever the type.
    page.keyboard.press("Alt+Digit6")
    page.select_option("#id_urgency", "urgent")
    page.keyboard.press("Alt+Digit3")
    assert page.input_value("#id_urgency") == "urgent"
    # The side panels htmx fills are announced.
    assert page.get_attribute("#caller-history", "aria-live") == "polite"
    assert page.get_attribute("#similar", "aria-live") == "polite"

    # 取消 on an action form: the focus goes back to 答复 (before: <body>).
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    services.request_sign(actor=hotline.hank, request=r)
    page = _login(browser, live_server.url, "hank")
    page.goto(f"{live_server.url}/requests/{r.pk}/")
    page.focus("#actions a[data-action=reply]")
    page.keyboard.press("Enter")
    page.wait_for_selector("form.action-form[data-action=reply]")
    page.focus("form.action-form .action-cancel")
    page.keyboard.press("Enter")
    page.wait_for_function("!document.querySelector('form.action-form')")
    assert page.evaluate("document.activeElement.dataset.action") == "reply", page.evaluate(
        "document.activeElement.outerHTML.slice(0, 200)"
    )
