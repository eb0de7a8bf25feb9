"""The gridm round in a real (headless) phone browser at 390 px: 现场核查 pressed without a
signal keeps the form (its choice, note and photo) and says why; 走访 opened offline from
a care plan's link chooses the person; an ID number with a wrong check digit is refused
before it is kept. Skipped when Playwright or Chromium is missing (``core.tests.browser.MARKS``).
"""

from typing import Any

from civicgrid.core.tests.browser import MARKS
from civicgrid.gridwork import services
from civicgrid.gridwork.models import Proposal
from civicgrid.gridwork.tests.conftest import Field, phone_page, png
from civicgrid.gridwork.tests.test_gridfx_phone import replied
from civicgrid.requests.constants import Status

pytestmark = MARKS

CONTROLLED = "() => !!navigator.serviceWorker.controller"


def test_a_check_pressed_offline_keeps_the_form_and_says_why(
    field: Field, hotline: Any, browser: Any, live_server: Any, tmp_path: Any
) -> None:
    request = replied(hotline)
    base = live_server.url
    context, page = phone_page(browser, base)
    page.goto(f"{base}/gridwork/m/verify/{request.pk}/")
    page.check("input[name=confirmed][value=yes]")
    page.fill("textarea[name=note]", "现场电梯已正常运行")
    photo = tmp_path / "现场.png"
    photo.write_bytes(png().read())
    page.set_input_files("input[name=attachments]", str(photo))
    assert page.inner_text(".gw-file-count") == "已选择 1 张照片"

    context.set_offline(True)
    page.click("form[data-gw-shrink] button[type=submit]")
    page.wait_for_selector("form[data-gw-shrink] .gw-form-error:not([hidden])")
    alert = page.locator("form[data-gw-shrink] .gw-form-error")
    assert alert.get_attribute("role") == "alert" and "核查需要联网提交" in alert.inner_text()
    assert page.url == f"{base}/gridwork/m/verify/{request.pk}/"
    assert page.is_checked("input[name=confirmed][value=yes]")
    assert page.input_value("textarea[name=note]") == "现场电梯已正常运行"
    assert page.evaluate("() => document.querySelector('input[name=attachments]').files.length") == 1
    request.refresh_from_db()
    assert request.status == Status.REPLIED

    context.set_offline(False)
    page.click("form[data-gw-shrink] button[type=submit]")
    page.wait_for_url(f"{base}/gridwork/m/")
    request.refresh_from_db()
    assert request.status != Status.REPLIED
    context.close()


def test_a_visit_opened_offline_from_a_care_plan_chooses_the_person(
    field: Field, browser: Any, live_server: Any
) -> None:
    plan = services.care_plan_create(actor=field.city.bob, resident=field.lao_zhang)
    base = live_server.url
    context, page = phone_page(browser, base)
    page.goto(f"{base}/gridwork/m/")
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function(CONTROLLED)
    page.wait_for_function("() => caches.match('/gridwork/m/visit/').then((hit) => !!hit)")

    context.set_offline(True)
    page.goto(f"{base}/gridwork/m/visit/?plan={plan.pk}")
    page.wait_for_function(f"() => document.querySelector('select[name=care_plan_id]').value === '{plan.pk}'")
    context.close()


def test_a_wrong_check_digit_is_refused_before_it_is_kept(
    field: Field, browser: Any, live_server: Any
) -> None:
    base = live_server.url
    context, page = phone_page(browser, base)
    page.goto(f"{base}/gridwork/m/proposal/")
    context.set_offline(True)
    page.select_option("select[name=kind]", "new_resident")
    page.select_option("#p-hh", str(field.household_1.pk))
    page.fill("input[name=name]", "周晓燕")
    page.fill("input[name=id_number]", "110105194912310021")
    page.click("form[data-gw-entry] button[type=submit]")
    page.wait_for_selector(".gw-form-error:not([hidden])")
    assert "身份证号校验位错误" in page.inner_text(".gw-form-error")
    assert page.get_attribute("input[name=id_number]", "aria-invalid") == "true"
    queued = "() => window.civicgridGridwork.store.all().then((rows) => rows.length)"
    assert page.evaluate(queued) == 0
    context.set_offline(False)
    assert not Proposal.objects.exists()
    context.close()
