"""The refusal of a point outside the worker's grids, as the phone shows it (gridwork.js).

alice stands in 通江一网格 (another street). Online, the form shows the server's message at
the 地点 field; offline, the entry waits, is refused when the signal returns, and the queue
page shows it as 未通过 with the same readable message. Nothing is stored.
Skipped when Playwright or Chromium is missing (``core.tests.browser.MARKS``).
"""

from typing import Any

from civicgrid.core.tests.browser import MARKS
from civicgrid.gridwork.models import Finding
from civicgrid.gridwork.tests.conftest import Field, phone_page
from civicgrid.requests.models import Request

pytestmark = MARKS

REFUSED = "位置不在您负责的网格内"


def test_the_worker_reads_why_a_finding_in_another_street_was_refused(
    field: Field, browser: Any, live_server: Any
) -> None:
    base = live_server.url
    context, page = phone_page(browser, base, latitude=31.585, longitude=120.33)  # 通江一网格

    page.goto(f"{base}/gridwork/m/finding/")
    page.click(".gw-locate-btn")
    page.wait_for_function("() => document.querySelector('input[name=lon]').value !== ''")
    page.check("input[name=category][value=environment]")
    page.fill("textarea[name=description]", "路边垃圾桶满溢")
    page.check("input[name=outcome][value=reported]")
    page.check("input[name=request_type][value=help]")  # a report names its type (none preselected)
    page.click("button[type=submit]")
    page.wait_for_selector(".gw-form-error:not([hidden])")
    assert page.inner_text(".gw-form-error").startswith(REFUSED)
    assert "通江一网格" in page.inner_text(".fld.locate.has-err .gw-err")

    context.set_offline(True)
    page.click("button[type=submit]")
    page.wait_for_function("() => /待发送 1 条/.test(document.querySelector('.gw-outbox').textContent)")
    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_function("() => /未通过 1 条/.test(document.querySelector('.gw-outbox').textContent)")
    page.goto(f"{base}/gridwork/m/queue/")
    page.wait_for_selector(".gw-q.failed")
    assert page.inner_text(".gw-q.failed .gw-q-state").startswith("未通过：" + REFUSED)
    assert not Finding.objects.exists() and not Request.objects.exists()
    context.close()
