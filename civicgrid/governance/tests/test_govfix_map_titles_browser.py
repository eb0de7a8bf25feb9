"""Every office map says its zoom buttons in Chinese and shows no "Leaflet" link (with its
English title "A JavaScript library for interactive maps") before the attribution: the hot
issues' map, the territory map, the grid-work office map and the request's map.

Headless Chromium driven by Playwright against the live test server; skipped when missing.
"""

from collections.abc import Callable
from typing import Any

import pytest

from civicgrid.core.tests.browser import MARKS, signed_in_page
from civicgrid.governance.tests.conftest import make  # noqa: F401  (the fixture)
from civicgrid.gridwork import services as gridwork
from civicgrid.requests.models import Request
from civicgrid.requests.tests.conftest import Hotline, hotline  # noqa: F401  (the fixture)

pytest.importorskip("playwright.sync_api", reason="Playwright 未安装（pip install playwright）")
pytestmark = MARKS

CONTROLS = """sel => {
  const map = document.querySelector(sel);
  const zoomIn = map.querySelector(".leaflet-control-zoom-in");
  const zoomOut = map.querySelector(".leaflet-control-zoom-out");
  const attribution = map.querySelector(".leaflet-control-attribution");
  return {
    zoomIn: zoomIn && zoomIn.title,
    zoomOut: zoomOut && zoomOut.title,
    links: attribution ? [...attribution.querySelectorAll("a")].map(a => a.title + " " + a.textContent) : [],
    attribution: attribution ? attribution.textContent : "",
  };
}"""


def test_office_maps_have_chinese_zoom_titles_and_no_leaflet_link(
    browser: Any,
    live_server: Any,
    hotline: Hotline,  # noqa: F811
    make: Callable[..., Request],  # noqa: F811
) -> None:
    city = hotline.city
    request = make("电梯又坏了", "1号楼电梯停运")
    finding = gridwork.finding_record(
        actor=city.alice,
        client_key="govfix-map-1",
        data=gridwork.FindingIn(
            category="fire", description="楼道堆放纸箱", lon=120.305, lat=31.575, address="胜利门1号楼"
        ),
    ).entry
    page = signed_in_page(browser, live_server.url, city.bob.username, sign_in_timeout=20000, timeout=10000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    pages = [
        ("/governance/", "#hot-map"),
        ("/territory/", "#map"),
        (f"/gridwork/findings/{finding.pk}/", "#gw-office-map"),
        (f"/requests/{request.pk}/", "#detail-map"),
    ]
    for path, selector in pages:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        page.wait_for_selector(f"{selector} .leaflet-control-zoom-in", state="attached")
        found = page.evaluate(CONTROLS, selector)
        assert found["zoomIn"] == "放大" and found["zoomOut"] == "缩小", (path, found)
        assert found["links"] == [], (path, found)  # no "Leaflet" link, no English title
        assert "Leaflet" not in found["attribution"], (path, found)
        assert found["attribution"].strip(), (path, found)  # the tiles' or the no-tiles note stays
    assert not errors, errors
