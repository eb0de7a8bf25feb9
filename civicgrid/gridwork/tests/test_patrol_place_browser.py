"""A patrol started outside the worker's grids, as the phone shows it (gridwork.js).

alice stands in 通江一网格 (another street) with a fix. Online, 开始巡查 is refused at once:
the server's message in the toast, no patrol in progress on the phone. Offline, the start
waits and the phone shows the patrol in progress; when the signal returns the start is
refused, the phone stops the patrol and says why, and the queue page shows it as 未通过
with the same message. No patrol is stored.
Skipped when Playwright or Chromium is missing (``core.tests.browser.MARKS``).
"""

from typing import Any

from civicgrid.core.tests.browser import MARKS
from civicgrid.gridwork.models import Patrol
from civicgrid.gridwork.tests.conftest import Field, phone_page

pytestmark = MARKS

REFUSED = "巡查起点不在您负责的网格内"
TOAST = "() => (document.querySelector('#gw-toast.show') || {}).textContent || ''"


def test_the_worker_reads_why_a_patrol_in_another_street_did_not_start(
    field: Field, browser: Any, live_server: Any
) -> None:
    base = live_server.url
    context, page = phone_page(browser, base, latitude=31.585, longitude=120.33)  # 通江一网格
    page.goto(f"{base}/gridwork/m/finding/")
    page.click(".gw-locate-btn")  # a fix the start takes its point from
    page.wait_for_function("() => document.querySelector('input[name=lon]').value !== ''")

    page.goto(f"{base}/gridwork/m/")
    page.click("#gw-patrol-start")
    page.wait_for_function(f"() => ({TOAST})().startsWith('{REFUSED}')")
    assert page.is_visible("#gw-patrol-start") and not page.is_visible("#gw-patrol-end")

    context.set_offline(True)
    page.click("#gw-patrol-start")
    page.wait_for_selector("#gw-patrol-end:not([hidden])")
    page.wait_for_function("() => /待发送 1 条/.test(document.querySelector('.gw-outbox').textContent)")
    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_function("() => /未通过 1 条/.test(document.querySelector('.gw-outbox').textContent)")
    page.wait_for_function(f"() => ({TOAST})().startsWith('所属巡查未能开始：{REFUSED}')")
    page.wait_for_selector("#gw-patrol-start:not([hidden])")
    assert not page.is_visible("#gw-patrol-end")

    page.goto(f"{base}/gridwork/m/queue/")
    page.wait_for_selector(".gw-q.failed")
    assert page.inner_text(".gw-q.failed .gw-q-state").startswith("未通过：" + REFUSED)
    assert not Patrol.objects.exists()
    context.close()
