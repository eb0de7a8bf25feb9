"""A list whose last header cell names its action column for screen readers only (a
.visually-hidden 「操作」) fits a 390 px phone: the table, scrolling sideways, is the hidden
text's containing block, so the text never widens the page. Skipped without Chromium."""

from typing import Any

from civicgrid.core.tests.browser import MARKS, signed_in_page
from civicgrid.registry import services as registry

pytestmark = MARKS

WIDTH = "() => document.documentElement.scrollWidth"


def test_the_registry_lists_fit_a_390_px_phone(city: Any, browser: Any, live_server: Any) -> None:
    registry.dwelling_create(
        actor=city.bob, node=city.building_a1, room="1单元301", use="owner_occupied", owner_name="张伟"
    )
    page = signed_in_page(browser, live_server.url, city.bob.username, sign_in_timeout=30000, timeout=30000)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/registry/dwellings/")
    assert page.locator("th .visually-hidden").count() == 1
    assert page.evaluate(WIDTH) <= 390
    page.context.close()
