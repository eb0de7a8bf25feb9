"""The resident page's details (a key/value table, ``table.kv``) fit a 375 px phone: each
row stacks, label above value, so the 查看完整信息 button and the 户编码 stay in the card
instead of scrolling out of it sideways (regression test). Skipped without Chromium."""

from typing import Any

from civicgrid.core.tests.browser import MARKS, signed_in_page
from civicgrid.registry.tests.factories import build_world

pytestmark = MARKS


def right_edge(box: Any) -> float:
    return float(box["x"] + box["width"])


def test_the_resident_details_fit_a_375_px_phone(city: Any, browser: Any, live_server: Any) -> None:
    world = build_world(city)
    a = world.resident_a
    a.household, a.relation_to_head = world.household_a, "配偶"
    a.save(update_fields=["household", "relation_to_head"])
    page = signed_in_page(browser, live_server.url, city.bob.username, sign_in_timeout=30000, timeout=30000)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/registry/residents/{a.pk}/")
    table = page.locator("main table.kv")
    assert table.count() == 1
    sizes = table.evaluate("t => ({scroll: t.scrollWidth, client: t.clientWidth})")
    assert sizes["scroll"] <= sizes["client"], sizes
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    card = table.evaluate("t => t.closest('.card').getBoundingClientRect().right")
    button = page.get_by_role("button", name="查看完整信息（将记录审计）")
    assert right_edge(button.bounding_box()) <= card
    code = page.locator("main table.kv small", has_text=world.household_a.code)
    assert right_edge(code.bounding_box()) <= card
    page.context.close()
