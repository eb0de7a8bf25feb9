"""The phone pages offline, in a real (headless) phone browser (gridfix round).

A door-to-door campaign's page and a day of the diary, opened once online, open again
without a signal (the service worker keeps every page of the H5 the worker opened, network
first); a page never opened says so, instead of showing 今日 under its address. A visit
saved with no one chosen is refused on the phone, never queued.
Skipped when Playwright or Chromium is missing (``core.tests.browser.MARKS``).
"""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from civicgrid.core.tests.browser import MARKS
from civicgrid.gridwork import services
from civicgrid.gridwork.models import Visit
from civicgrid.gridwork.tests.conftest import Field, phone_page

pytestmark = MARKS

CONTROLLED = "() => !!navigator.serviceWorker.controller"


def _kept(page: Any, path: str) -> None:
    page.wait_for_function("(key) => caches.match(key).then((hit) => !!hit)", arg=path)


def test_a_campaign_page_and_a_diary_day_opened_online_open_offline(
    field: Field, browser: Any, live_server: Any
) -> None:
    today = timezone.localdate()
    campaign = services.campaign_launch(
        actor=field.city.bob,
        area=field.city.comm_a1,
        name="反诈入户",
        kind="anti_fraud",
        starts_on=today,
        ends_on=today + timedelta(days=5),
    )
    base = live_server.url
    context, page = phone_page(browser, base, latitude=31.575, longitude=120.305)
    page.goto(f"{base}/gridwork/m/")
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function(CONTROLLED)

    campaign_path = f"/gridwork/m/campaign/{campaign.pk}/"
    day = (today - timedelta(days=1)).isoformat()
    diary_path = f"/gridwork/m/log/?day={day}"
    page.goto(base + campaign_path)
    _kept(page, campaign_path)
    page.goto(base + diary_path)
    _kept(page, diary_path)

    context.set_offline(True)
    page.goto(base + campaign_path)
    assert "反诈入户" in page.inner_text("header") and "1单元101" in page.inner_text("main")
    page.goto(base + diary_path)
    assert "民情日志" in page.inner_text("header")
    # A page never opened: the honest message, not 今日 under its address.
    page.goto(f"{base}/gridwork/m/campaign/{campaign.pk + 1}/")
    text = page.inner_text("body")
    assert "此页面尚未缓存" in text and "开始巡查" not in text
    context.close()


def test_a_visit_with_no_one_chosen_is_refused_on_the_phone_not_queued(
    field: Field, browser: Any, live_server: Any
) -> None:
    base = live_server.url
    context, page = phone_page(browser, base, latitude=31.575, longitude=120.305)
    page.goto(f"{base}/gridwork/m/visit/")
    context.set_offline(True)
    page.fill("textarea[name=found]", "身体良好")
    page.click("button[type=submit]")
    page.wait_for_selector(".gw-form-error:not([hidden])")
    assert "请选择走访对象" in page.inner_text(".gw-form-error")
    count = page.evaluate("() => window.civicgridGridwork.store.all().then((rows) => rows.length)")
    assert count == 0 and page.inner_text(".gw-outbox") == ""
    context.set_offline(False)
    assert not Visit.objects.exists()
    context.close()


def test_a_visit_is_located_on_saving_when_the_phone_allows_location(
    field: Field, browser: Any, live_server: Any
) -> None:
    base = live_server.url
    context, page = phone_page(browser, base, latitude=31.575, longitude=120.305)  # in 胜利门一网格
    page.goto(f"{base}/gridwork/m/visit/")
    page.select_option("select[name=resident_id]", str(field.xiao_li.pk))
    page.fill("textarea[name=found]", "身体良好")
    page.click("button[type=submit]")
    page.wait_for_selector("#gw-toast.show")
    visit = Visit.objects.get()
    assert (visit.lon, visit.lat) == (120.305, 31.575)
    context.close()


def test_a_visit_without_location_permission_is_saved_without_a_place(
    field: Field, browser: Any, live_server: Any
) -> None:
    base = live_server.url
    context, page = phone_page(browser, base)  # no location permission
    page.goto(f"{base}/gridwork/m/visit/")
    assert page.is_visible(".gw-locate-btn")
    page.select_option("select[name=resident_id]", str(field.xiao_li.pk))
    page.fill("textarea[name=found]", "身体良好")
    page.click("button[type=submit]")
    page.wait_for_selector("#gw-toast.show")
    visit = Visit.objects.get()
    assert visit.lon is None and visit.lat is None
    context.close()
