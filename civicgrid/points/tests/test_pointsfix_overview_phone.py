"""On a phone (390 px wide) the staff overview /points/ fits the screen: the 本月积分榜 and
最新积分流水 cards stay inside it, their tables scroll within the card."""

from typing import Any

from civicgrid.core.tests.browser import MARKS, signed_in_page
from civicgrid.points.tests.conftest import PointsWorld, earn

pytestmark = MARKS

PHONE = {"width": 390, "height": 844}


def test_the_overview_fits_a_phone(browser: Any, live_server: Any, pw: PointsWorld) -> None:
    earn(pw, pw.erin, 12, "phone-1")
    earn(pw, pw.frank, 30, "phone-2")
    page = signed_in_page(browser, live_server.url, "bob", sign_in_timeout=60000, timeout=30000)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/points/")
    assert page.is_visible("text=本月积分榜") and page.is_visible("text=最新积分流水")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    cards = page.eval_on_selector_all(
        ".points-grid > .card", "els => els.map(el => el.getBoundingClientRect().right <= window.innerWidth)"
    )
    assert cards == [True, True]
