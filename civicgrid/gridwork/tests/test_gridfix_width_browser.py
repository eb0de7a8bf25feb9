"""The gridfix round in a real (headless) phone browser at 390 px: 记民情, 走访 and 核查 fit
the screen (the hidden photo input no longer widens them), and a report sent without its
诉求类型 is refused in Chinese next to the field, not by the browser's bubble. Skipped when
Playwright or Chromium is missing (``core.tests.browser.MARKS``)."""

from typing import Any

from civicgrid.core.tests.browser import MARKS
from civicgrid.gridwork.models import Finding
from civicgrid.gridwork.tests.conftest import Field, phone_page
from civicgrid.gridwork.tests.test_gridfx_phone import replied

pytestmark = MARKS

WIDTH = "() => document.documentElement.scrollWidth"


def test_the_entry_pages_fit_a_390_px_phone(
    field: Field, hotline: Any, browser: Any, live_server: Any
) -> None:
    request = replied(hotline)
    base = live_server.url
    context, page = phone_page(browser, base)
    for path in ("/gridwork/m/finding/", "/gridwork/m/visit/", f"/gridwork/m/verify/{request.pk}/"):
        page.goto(f"{base}{path}")
        assert page.evaluate(WIDTH) <= 390, path
        sign_out = page.locator("[data-gw-signout] button").bounding_box()
        assert sign_out is not None and sign_out["x"] + sign_out["width"] <= 390, path
    context.close()


def test_a_report_without_its_type_is_refused_next_to_the_field(
    field: Field, browser: Any, live_server: Any
) -> None:
    base = live_server.url
    context, page = phone_page(browser, base, latitude=31.575, longitude=120.305)
    page.goto(f"{base}/gridwork/m/finding/")
    page.check("input[name=category][value=other]")
    page.fill("textarea[name=description]", "楼里有群租房")
    page.check("input[name=outcome][value=reported]")
    page.click("form[data-gw-entry] button[type=submit]")
    page.wait_for_selector("form[data-gw-entry] .gw-form-error:not([hidden])")
    assert "请选择诉求类型" in page.inner_text(".gw-form-error")
    field_error = page.locator("input[name=request_type]").first.locator("xpath=ancestor::fieldset[1]")
    assert "请选择诉求类型" in field_error.inner_text()
    assert page.locator("input[name=request_type]").first.get_attribute("aria-invalid") == "true"
    assert not Finding.objects.exists()
    context.close()
