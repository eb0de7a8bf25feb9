"""A refusal on the grid worker's phone is said and takes the focus (a11y round): the box is
role=alert, the refused field is aria-invalid, described by its reason, and focused.
Skipped when Playwright or Chromium is missing (``core.tests.browser.MARKS``)."""

from typing import Any

from civicgrid.core.tests.browser import MARKS
from civicgrid.gridwork.tests.conftest import Field, phone_page

pytestmark = MARKS


def test_a_refused_visit_marks_and_focuses_the_field(field: Field, browser: Any, live_server: Any) -> None:
    base = live_server.url
    context, page = phone_page(browser, base, latitude=31.575, longitude=120.305)
    page.goto(f"{base}/gridwork/m/visit/")
    page.fill("textarea[name=found]", "身体良好")
    page.click("button[type=submit]")
    page.wait_for_selector(".gw-form-error:not([hidden])")
    assert page.get_attribute(".gw-form-error", "role") == "alert"
    chosen = "select[name=care_plan_id]"
    page.wait_for_function(f"document.activeElement === document.querySelector('{chosen}')")
    assert page.get_attribute(chosen, "aria-invalid") == "true"
    said = page.get_attribute(chosen, "aria-describedby") or ""
    assert said and "请选择走访对象" in page.inner_text(f"#{said.split()[-1]}")
    context.close()
