"""The red property pages on a phone-sized screen (390 px): nothing wider than the screen, the
forms of a manager included. In a real browser (headless Chromium, Playwright); skipped when
either is missing."""

from datetime import timedelta
from typing import Any

import pytest

from civicgrid.core.tests.browser import MARKS, signed_in_page
from civicgrid.property import services
from civicgrid.property.services import ItemIn
from civicgrid.property.tests.conftest import World, today

pytest.importorskip("playwright.sync_api", reason="Playwright 未安装（pip install playwright）")
pytestmark = MARKS

WIDER = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 6)
  .map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))"""


def test_the_property_pages_fit_a_390px_screen(browser: Any, live_server: Any, world: World) -> None:
    c = world.city
    world.start()
    inspection = services.inspection_record(
        actor=c.bob,
        compound=world.shengli,
        inspected_on=today() - timedelta(days=2),
        items={"environment": ItemIn(2, "楼道堆放杂物较多，消防通道被电动车占用，已要求限期清理")},
    )
    committee = services.committee_create(
        actor=c.bob,
        compound=world.shengli,
        term_starts_on=today() - timedelta(days=30),
        term_ends_on=today() + timedelta(days=1000),
    )
    services.committee_member_add(
        actor=c.bob, committee=committee, name="周业主", post="chair", resident=world.zhou, negative_items=[]
    )
    services.committee_member_add(
        actor=c.bob, committee=committee, name="吴十", post="member", negative_items=[]
    )
    pages: dict[str, Any] = {}
    wide = {}
    for user, path in (
        ("bob", "/property/"),
        ("bob", "/property/compounds/"),
        ("bob", f"/property/compounds/{world.shengli.pk}/"),
        ("dave", f"/property/companies/{world.lvcheng.pk}/"),
        ("bob", f"/property/inspections/{inspection.pk}/"),
    ):
        page = pages.get(user) or pages.setdefault(
            user, signed_in_page(browser, live_server.url, user, sign_in_timeout=30000, timeout=15000)
        )
        page.set_viewport_size({"width": 390, "height": 844})
        answer = page.goto(f"{live_server.url}{path}")
        assert answer is not None and answer.status == 200, path
        if page.evaluate("document.documentElement.scrollWidth") > 390:
            wide[path] = page.evaluate(WIDER)
        # A table scrolls sideways inside itself on a phone (app.css); the inspection form's
        # checklist must not (before: its 问题说明 boxes were cut, 332 px in 316), and the
        # board's headings wrap (before: 768 px in 350, the 榜单 column far off-screen).
        for table, most in (("table.checklist", 0), ("table.board", 40)):
            if page.locator(table).count():
                over = page.eval_on_selector(table, "t => t.scrollWidth - t.clientWidth")
                assert over <= most, (path, table, over)
    assert not wide, wide
