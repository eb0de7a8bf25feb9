"""One request from the telephone to the three rates, in a real browser.

Headless Chromium (Debian's ``chromium`` package, installed by ``bin/setup``) driven by
Playwright against the live test server: olivia (operator) records a call about a water
outage in the console; walt (water company) signs for it and replies from the request
page; the requester opens the link of the SMS she received and rates it; dave (district
leader) sees the satisfaction rate of the month move on the rates page.

Skipped when Playwright or ``/usr/bin/chromium`` is missing. Screenshots of every step
go to ``/tmp/e2e-*.png``.
"""

import re
from typing import Any

import pytest

from civicgrid.core import crypto
from civicgrid.core.tests.browser import MARKS, signed_in_page
from civicgrid.notify.models import Notification
from civicgrid.requests import services
from civicgrid.requests.constants import Status
from civicgrid.requests.models import Rating, Request
from civicgrid.requests.tests.conftest import Hotline

CALLER_PHONE = "13912345678"
SHOTS = "/tmp/e2e-{}.png"

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright 未安装（pip install playwright）")
pytestmark = MARKS


def _earlier_rating(h: Hotline) -> None:
    """One request rated this month already (partly solved, basically satisfied)."""
    earlier = services.request_create(
        actor=h.city.olivia,
        data=h.new(category=h.water_outage, title="楼下水管爆裂停水", requester_phone="13800001111"),
    )
    services.request_sign(actor=h.walt, request=earlier)
    services.request_reply(actor=h.walt, request=earlier, reply="已抢修恢复供水")
    services.request_rate_by_link(
        token=earlier.rating_token, contacted=True, resolution="partly", satisfaction="basic"
    )


def _login(browser: Any, base: str, username: str) -> Any:
    return signed_in_page(browser, base, username, sign_in_timeout=8000, timeout=8000)


def _satisfaction(page: Any) -> tuple[str, str]:
    """The satisfaction figure of the rates page and the rated count beside the response rate."""
    figure = page.locator(".stat", has_text="满意率").locator(".n").inner_text().strip()
    rated = re.search(r"评价 (\d+)", page.locator(".stat", has_text="响应率").inner_text())
    return figure, rated.group(1) if rated else ""


def _record_call(page: Any, base: str) -> str:
    page.goto(f"{base}/requests/console/")
    page.fill("#id_requester_phone", CALLER_PHONE)
    page.fill("#id_requester_name", "林小梅")
    page.fill("#id_title", "小区停水没有提前通知")
    page.fill("#id_content", "胜利门小区3号楼从早上八点开始停水，没有看到任何通知，请尽快恢复。")
    page.fill("#category-q", "停水")
    page.wait_for_selector("#category-list li[data-id]")
    page.press("#category-q", "Enter")
    page.fill("#id_lon", "120.305")
    page.fill("#id_lat", "31.575")
    page.click("button.primary-submit")
    result = page.wait_for_selector("#result")
    page.screenshot(path=SHOTS.format("2-console"), full_page=True)
    assert "市自来水公司" in result.inner_text()
    number = re.search(r"\d{8}-\d{6}", result.inner_text())
    assert number is not None
    return number.group(0)


def _act(page: Any, action: str, **fields: str) -> None:
    """Open an action of the request page, fill its form, confirm, wait for the page to reload."""
    page.click(f"#actions a[data-action={action}]")
    form = page.wait_for_selector(f"form.action-form[data-action={action}]")
    for name, value in fields.items():
        form.query_selector(f"[name={name}]").fill(value)
    with page.expect_navigation():
        form.query_selector("button[type=submit]").click()


def _handle(page: Any, base: str, number: str) -> None:
    page.goto(f"{base}/requests/inbox/")
    page.click(f"text={number}")
    page.wait_for_selector("#actions")
    _act(page, "sign")
    assert "已签收" in page.locator("h1 .status").inner_text()
    page.screenshot(path=SHOTS.format("3-signed"), full_page=True)
    _act(page, "reply", reply="经查系主管道阀门故障，已更换阀门，10:30恢复供水，并已电话告知诉求人。")
    assert "已答复" in page.locator("h1 .status").inner_text()
    page.screenshot(path=SHOTS.format("4-replied"), full_page=True)


def _rating_link(number: str) -> str:
    """The link in the SMS sent to the caller's phone after the reply."""
    request = Request.objects.get(number=number)
    sms = [
        n
        for n in Notification.objects.filter(target_id=str(request.pk), body__contains="/r/")
        if crypto.decrypt(n.address_enc) == CALLER_PHONE
    ]
    assert len(sms) == 1
    link = re.search(r"/r/[\w-]+", sms[0].body)
    assert link is not None
    return link.group(0)


def _rate(browser: Any, base: str, link: str) -> None:
    page = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    page.set_default_timeout(8000)
    page.goto(f"{base}{link}")
    page.check("input[name=contacted][value=yes]")
    page.check("input[name=resolution][value=solved]")
    page.check("input[name=satisfaction][value=satisfied]")
    page.fill("textarea[name=comment]", "恢复得很快，谢谢！")
    page.screenshot(path=SHOTS.format("5-rate-form"), full_page=True)
    page.click("form.rate button[type=submit]")
    page.wait_for_selector("text=感谢您的评价")
    page.screenshot(path=SHOTS.format("6-rated"), full_page=True)


def test_a_call_is_recorded_handled_rated_and_counted(
    browser: Any, live_server: Any, hotline: Hotline
) -> None:
    base = live_server.url
    _earlier_rating(hotline)
    leader = _login(browser, base, "dave")
    leader.goto(f"{base}/requests/rates/")
    before = _satisfaction(leader)
    leader.screenshot(path=SHOTS.format("1-rates-before"), full_page=True)
    assert before == ("80.00%", "1")

    number = _record_call(_login(browser, base, "olivia"), base)
    _handle(_login(browser, base, "walt"), base, number)
    _rate(browser, base, _rating_link(number))

    leader.reload()
    after = _satisfaction(leader)
    leader.screenshot(path=SHOTS.format("7-rates-after"), full_page=True)
    assert after == ("90.00%", "2")
    request = Request.objects.get(number=number)
    assert request.status == Status.CLOSED
    assert Rating.objects.get(request=request).satisfaction == "satisfied"
