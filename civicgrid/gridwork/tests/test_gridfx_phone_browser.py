"""The gridfx round in a real (headless) phone browser: a refused entry reopened in its form,
one patrol for a double tap, seven photos chosen keep six.
Skipped when Playwright or Chromium is missing (``core.tests.browser.MARKS``).
"""

from typing import Any

from civicgrid.core.tests.browser import MARKS
from civicgrid.gridwork.models import Patrol
from civicgrid.gridwork.tests.conftest import Field, phone_page

pytestmark = MARKS

REFUSED = """(page) => window.civicgridGridwork.store.put({
  key: "gridfx-refused", seq: 1, user: document.body.dataset.user, kind: "finding", label: "民情记录",
  url: "/api/v1/gridwork/findings", enc: "form", page: page,
  fields: {client_key: "gridfx-refused", category: "sanitation", description: "楼道堆放杂物",
           outcome: "recorded", address: "1单元楼道"},
  files: [], createdAt: new Date().toISOString(), state: "failed", error: "地点不在您负责的网格内"})"""


def test_a_refused_entry_shows_what_was_typed_and_reopens_filled(
    field: Field, browser: Any, live_server: Any
) -> None:
    base = live_server.url
    context, page = phone_page(browser, base)
    page.goto(f"{base}/gridwork/m/finding/")
    page.evaluate(REFUSED, "/gridwork/m/finding/")
    page.goto(f"{base}/gridwork/m/queue/")
    page.wait_for_selector(".gw-q-typed")
    assert "楼道堆放杂物" in page.inner_text(".gw-q-typed") and "1单元楼道" in page.inner_text(".gw-q-typed")
    page.click("text=修改后重新发送")
    page.wait_for_function("() => document.querySelector('textarea[name=description]').value !== ''")
    assert page.input_value("textarea[name=description]") == "楼道堆放杂物"
    assert page.input_value("input[name=address]") == "1单元楼道"
    assert "地点不在您负责的网格内" in page.inner_text(".gw-form-error")
    context.close()


def test_a_double_tap_on_start_makes_one_patrol_and_seven_photos_keep_six(
    field: Field, browser: Any, live_server: Any, tmp_path: Any
) -> None:
    base = live_server.url
    context, page = phone_page(browser, base)
    page.goto(f"{base}/gridwork/m/")
    page.evaluate("() => { const b = document.getElementById('gw-patrol-start'); b.click(); b.click(); }")
    page.wait_for_function("() => document.getElementById('gw-toast').textContent.indexOf('巡查') >= 0")
    page.wait_for_timeout(1500)
    assert Patrol.objects.filter(worker=field.alice).count() == 1

    from civicgrid.gridwork.tests.conftest import png

    files = []
    for i in range(7):
        path = tmp_path / f"p{i}.png"
        path.write_bytes(png().read())
        files.append(str(path))
    page.goto(f"{base}/gridwork/m/finding/")
    page.set_input_files("input[name=photos]", files)
    assert page.evaluate("() => document.querySelector('input[name=photos]').files.length") == 6
    assert "已保留前6张" in page.inner_text("#gw-toast")
    context.close()
