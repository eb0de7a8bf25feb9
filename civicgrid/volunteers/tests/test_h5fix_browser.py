"""On a phone (390 × 844): the volunteer's certificate fits the screen with every hours cell
whole, and the sign-in fields are 16px (iOS does not zoom in)."""

from typing import Any

from civicgrid.core.tests.browser import MARKS, PASSWORD
from civicgrid.volunteers.tests.conftest import People
from civicgrid.volunteers.tests.test_certificate import served

pytestmark = MARKS

PHONE = {"width": 390, "height": 844}


def phone_page(browser: Any, live_server: Any, username: str) -> Any:
    page = browser.new_context(locale="zh-CN", viewport=PHONE).new_page()
    page.set_default_timeout(30000)
    page.goto(f"{live_server.url}/login/")
    for field in ("#id_username", "#id_password"):
        size = page.eval_on_selector(field, "el => parseFloat(getComputedStyle(el).fontSize)")
        assert size >= 16, field
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def test_the_certificate_fits_a_phone_with_the_hours_whole(
    browser: Any, live_server: Any, people: People
) -> None:
    served(people)
    page = phone_page(browser, live_server, "zhang")
    page.goto(f"{live_server.url}/volunteers/h5/certificate/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    cells = page.eval_on_selector_all(
        ".cert-lines .hours",
        "els => els.map(el => [el.textContent.trim(), el.scrollWidth <= el.clientWidth,"
        " el.getBoundingClientRect().right <= window.innerWidth])",
    )
    assert ["4.0", True, True] in cells and ["2.5", True, True] in cells
    assert all(whole and inside for _, whole, inside in cells), cells
    assert page.is_visible("nav.h5-nav") and not page.is_visible("header.topbar")
