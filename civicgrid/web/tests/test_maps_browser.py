"""The maps of community- and grid-level pages draw, in a real browser, with no script error.

They used to stay blank: a circle marker (a building, a finding) was added to the
preferCanvas map before the view was set, created the shared canvas renderer and queued it
behind the grid polygons; when the view came the polygons were drawn against a renderer not
yet on the map and Leaflet threw ``TypeError: ... reading 'min'`` in ``_clipPoints``.
District pages (no buildings) were fine, so only a community's page shows the fault.

Also checked on the way: the community worker's menu (the longest) has every item in sight
at 1280 px, without a horizontal scroll.

Headless Chromium (Debian's ``chromium``) driven by Playwright against the live test server;
skipped when either is missing, like ``requests/tests/test_e2e_browser.py``.
"""

import contextlib
from typing import Any

import pytest

from civicgrid.conftest import City
from civicgrid.core.tests.browser import MARKS, PASSWORD
from civicgrid.gridwork import services as gridwork

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright 未安装（pip install playwright）")
pytestmark = MARKS

# Pixels drawn on the map's canvas (the grid polygons, the markers); blank when none.
DRAWN = """sel => {
  const canvas = document.querySelector(sel + " canvas");
  if (!canvas || !canvas.width || !canvas.height) return 0;
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
  return n;
}"""

# The menu's overflow, the page's, and the items outside the window (none: no hidden item).
MENU = """() => {
  const menu = document.querySelector(".menu");
  const items = [...menu.querySelectorAll("a")];
  const outside = items.filter(a => {
    const r = a.getBoundingClientRect();
    return r.left < 0 || r.right > innerWidth;
  });
  return {
    count: items.length,
    scroll: menu.scrollWidth - menu.clientWidth,
    page: document.documentElement.scrollWidth - innerWidth,
    outside: outside.map(a => a.textContent),
  };
}"""


def test_community_maps_draw_without_script_errors_and_the_menu_fits(
    browser: Any, live_server: Any, city: City
) -> None:
    finding = gridwork.finding_record(
        actor=city.alice,
        client_key="browser-map-1",
        data=gridwork.FindingIn(
            category="fire", description="楼道堆放纸箱", lon=120.305, lat=31.575, address="胜利门1号楼"
        ),
    ).entry
    base = live_server.url
    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(8000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}/login/")
    page.fill("#id_username", city.bob.username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)

    menu = page.evaluate(MENU)
    assert menu["count"] > 12 and menu["scroll"] <= 0 and menu["page"] <= 0 and not menu["outside"], menu

    day = finding.day.isoformat()
    pages = [
        ("/territory/", "#map"),  # the community's own tree: its grids and buildings
        (f"/territory/{city.comm_a1.pk}/", "#map"),
        (f"/gridwork/findings/{finding.pk}/", "#gw-office-map"),
        (f"/gridwork/workers/{city.alice.pk}/{day}/", "#gw-office-map"),
    ]
    for path, selector in pages:
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        with contextlib.suppress(sync_api.TimeoutError):  # said below: the script error, else a blank map
            page.wait_for_function(f"({DRAWN})({selector!r}) > 0", timeout=5000)
        page.screenshot(path=f"/tmp/e2e-map-{path.strip('/').replace('/', '-')}.png")
        assert not errors, (path, errors)
        assert page.evaluate(DRAWN, selector) > 0, f"{path}: nothing drawn on the map"


def test_the_grid_workers_phone_map_draws_and_shows_labels_as_text(
    browser: Any, live_server: Any, city: City
) -> None:
    """The phone map (gridwork.js) had the same fault on a day with a finding, and put the
    finding's words into its popup as HTML."""
    gridwork.finding_record(
        actor=city.alice,
        client_key="browser-map-2",
        data=gridwork.FindingIn(
            category="fire",
            description="<img src=x onerror=window.__xss=1>",
            lon=120.305,
            lat=31.575,
            address="胜利门1号楼",
        ),
    )
    page = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 800}).new_page()
    page.set_default_timeout(8000)
    # Keep every Leaflet map the page makes, to open its popups from the test.
    page.add_init_script(
        """Object.defineProperty(window, "L", {
          configurable: true,
          get() { return this.__L; },
          set(v) {
            this.__L = v;
            v.Map.addInitHook(function () { (window.__maps = window.__maps || []).push(this); });
          },
        });"""
    )
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", city.alice.username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    page.goto(f"{live_server.url}/gridwork/m/map/")
    with contextlib.suppress(sync_api.TimeoutError):
        page.wait_for_function(f"({DRAWN})('#gw-map') > 0", timeout=5000)
    assert not errors, errors
    assert page.evaluate(DRAWN, "#gw-map") > 0, "nothing drawn on the phone map"
    page.evaluate("() => window.__maps[0].eachLayer(l => l.getPopup && l.getPopup() && l.openPopup())")
    popup = page.inner_html(".leaflet-popup-content")
    assert "&lt;img src=x" in popup, popup  # shown as text
    assert page.evaluate("window.__xss") is None
