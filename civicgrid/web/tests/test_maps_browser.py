"""The maps of community- and grid-level pages draw, in a real browser, with no script error.

They used to stay blank: a circle marker (a building, a finding) was added to the
preferCanvas map before the view was set, created the shared canvas renderer and queued it
behind the grid polygons; when the view came the polygons were drawn against a renderer not
yet on the map and Leaflet threw ``TypeError: ... reading 'min'`` in ``_clipPoints``.
District pages (no buildings) were fine, so only a community's page shows the fault.

Also checked on the way: the community worker's menu (the longest) has every item in sight
at 1280 px, without a horizontal scroll. And every map shows names, titles and descriptions
as text (the labels are built by the shared static/civicgrid/maplabels.js): a name holding
markup is shown as typed and never runs.

Headless Chromium (Debian's ``chromium``) driven by Playwright against the live test server;
skipped when either is missing, like ``requests/tests/test_e2e_browser.py``.
"""

import contextlib
from collections.abc import Callable
from typing import Any

import pytest
from django.templatetags.static import static
from django.test import Client

from civicgrid.conftest import City
from civicgrid.core.tests.browser import MARKS, PASSWORD
from civicgrid.governance.models import HotIssue
from civicgrid.governance.tests.conftest import make  # noqa: F401  (the fixture)
from civicgrid.governance.tests.test_hot_issues import LIFT, month_at
from civicgrid.gridwork import services as gridwork
from civicgrid.requests.models import Request
from civicgrid.requests.rates.cells import current_month
from civicgrid.requests.rates.figures import Period, add_months
from civicgrid.requests.tests.conftest import Hotline, hotline  # noqa: F401  (the fixture)
from civicgrid.territory.models import Node

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

# Keep every Leaflet map the page makes, to open its tooltips and popups from the test.
KEEP_MAPS = """Object.defineProperty(window, "L", {
  configurable: true,
  get() { return this.__L; },
  set(v) {
    this.__L = v;
    v.Map.addInitHook(function () { (window.__maps = window.__maps || []).push(this); });
  },
});"""

# Opens every tooltip and popup of the page's maps; returns each label as the map holds it
# (a DOM node's text, or "HTML:" and the string Leaflet would put into innerHTML).
OPEN_LABELS = """() => {
  const out = [];
  (window.__maps || []).forEach(map => map.eachLayer(layer => {
    [layer.getTooltip && layer.getTooltip(), layer.getPopup && layer.getPopup()].forEach(label => {
      if (!label) return;
      const content = label.getContent();
      out.push(typeof content === "string" ? "HTML:" + content : content.textContent);
    });
    try { if (layer.getTooltip && layer.getTooltip()) layer.openTooltip(); } catch (e) {}
    try { if (layer.getPopup && layer.getPopup()) layer.openPopup(); } catch (e) {}
  }));
  return out;
}"""

HOSTILE = "<img src=x onerror=window.__xss=1>"

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


def _signed_in_page(browser: Any, base: str, username: str) -> tuple[Any, list[str]]:
    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(8000)
    page.add_init_script(KEEP_MAPS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    return page, errors


def test_every_map_shows_a_hostile_name_as_text(
    browser: Any,
    live_server: Any,
    hotline: Hotline,  # noqa: F811
    make: Callable[..., Request],  # noqa: F811
) -> None:
    """The territory map, the governance map, a request's map and the office map of grid work
    each had a copy of the text-label helper; they now share maplabels.js. A grid named like
    markup, a request titled like markup and a finding described like markup are shown as
    text on each map, and nothing runs."""
    city = hotline.city
    Node.objects.filter(pk=city.grid_a1_1.pk).update(name=HOSTILE)
    requests = [make(title, content, at=month_at(-1, 3 + i)) for i, (title, content) in enumerate(LIFT)]
    leader = Client()
    leader.force_login(city.dave)
    period = Period.month(add_months(current_month(), -1))
    saved = leader.post(
        "/governance/hot/recompute/", {"node": city.district.pk, "start": period.start, "end": period.end}
    )
    assert saved.status_code == 302  # a GET of the page stores nothing; the POST saves the run
    issue = HotIssue.objects.get(rank=1)
    Request.objects.filter(pk=requests[0].pk).update(title=HOSTILE)  # after clustering by its words
    finding = gridwork.finding_record(
        actor=city.alice,
        client_key="browser-map-3",
        data=gridwork.FindingIn(
            category="fire", description=HOSTILE, lon=120.305, lat=31.575, address="1号楼"
        ),
    ).entry

    page, errors = _signed_in_page(browser, live_server.url, city.dave.username)
    maps = [
        (f"/territory/{city.comm_a1.pk}/", "#map", f"{HOSTILE}（网格）"),  # a grid's outline
        (f"/governance/hot/{issue.pk}/", "#issue-map", f"{requests[0].number} {HOSTILE}"),  # a request's dot
        (f"/requests/{requests[0].pk}/", "#detail-map", HOSTILE),  # the request's point and its grid
        (f"/gridwork/findings/{finding.pk}/", "#gw-office-map", HOSTILE),  # the finding's dot, the grid
    ]
    for path, selector, label in maps:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        page.evaluate("() => { window.__maps = window.__maps || []; }")
        with contextlib.suppress(sync_api.TimeoutError):  # the outlines come by fetch
            page.wait_for_function(f"({DRAWN})({selector!r}) > 0", timeout=5000)
        page.wait_for_timeout(300)
        labels = page.evaluate(OPEN_LABELS)
        assert label in labels, (path, labels)
        assert not [x for x in labels if x.startswith("HTML:")], (path, labels)
        shown = page.evaluate(
            "() => [...document.querySelectorAll('.leaflet-tooltip, .leaflet-popup-content')]"
            ".map(e => e.innerHTML)"
        )
        assert any("&lt;img src=x" in html for html in shown), (path, shown)
        assert page.evaluate("document.querySelector('.leaflet-pane img[src=x]')") is None, path
        assert page.evaluate("window.__xss") is None, path
        assert not errors, (path, errors)


def test_the_phone_map_draws_offline_with_the_shared_labels(
    browser: Any, live_server: Any, city: City
) -> None:
    """The phone map builds its labels with maplabels.js: the service worker keeps it with
    the other assets, so the map still draws without a signal."""
    gridwork.finding_record(
        actor=city.alice,
        client_key="browser-map-4",
        data=gridwork.FindingIn(
            category="fire", description=HOSTILE, lon=120.305, lat=31.575, address="1号楼"
        ),
    )
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", city.alice.username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    page.goto(f"{live_server.url}/gridwork/m/")
    # The worker keeps the map page and its assets; the page itself has not fetched them yet.
    # Installing fetches every asset and tab page (the diary's month too): on a loaded machine
    # that took over 15 s, and going offline before it ended left nothing to answer the page.
    kept = [static("civicgrid/maplabels.js"), "/gridwork/m/map/"]
    page.wait_for_function(
        "async urls => (await Promise.all(urls.map(u => caches.match(u)))).every(Boolean)",
        arg=kept,
        timeout=60000,
        polling=250,
    )
    # ... and the worker must be active before it answers a navigation (kept is not enough).
    page.wait_for_function(
        "() => navigator.serviceWorker.ready.then(r => r.active && r.active.state === 'activated')",
        timeout=60000,
        polling=250,
    )
    context.set_offline(True)
    page.goto(f"{live_server.url}/gridwork/m/map/")
    with contextlib.suppress(sync_api.TimeoutError):
        page.wait_for_function(f"({DRAWN})('#gw-map') > 0", timeout=5000)
    assert not errors, errors
    assert page.evaluate("typeof window.civicgridMapLabels") == "object"
    assert page.evaluate(DRAWN, "#gw-map") > 0, "nothing drawn on the phone map offline"
    context.close()
