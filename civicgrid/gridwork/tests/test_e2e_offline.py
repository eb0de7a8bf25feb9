"""A grid worker's morning with a bad signal, in a real (headless) phone browser.

alice starts a patrol, loses the network, records what she saw with a photo (kept on the
phone: the page shows one entry waiting), ends the patrol, gets the signal back: the
entries go out in order, exactly once, and the patrol log shows them. A form sent while
online with a mistake shows the server's Chinese message on the form and keeps nothing.

Skipped when Playwright or ``/usr/bin/chromium`` is missing. Screenshots: /tmp/e2e-gw-*.png.
"""

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections

from civicgrid.gridwork.models import Finding, Patrol, Photo
from civicgrid.gridwork.tests.conftest import PNG, Field, phone_page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
SHOTS = "/tmp/e2e-gw-{}.png"

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright 未安装（pip install playwright）")
pytestmark = [
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason=f"没有 {CHROMIUM}"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def browser(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
        connections.close_all()


def _phone(browser: Any, base: str) -> tuple[Any, Any]:
    return phone_page(browser, base, latitude=31.575, longitude=120.305)


def test_entries_made_offline_are_sent_once_when_the_signal_returns(
    field: Field, browser: Any, live_server: Any, tmp_path: Any
) -> None:
    base = live_server.url
    context, page = _phone(browser, base)
    page.goto(f"{base}/gridwork/m/")
    page.click("#gw-patrol-start")
    page.wait_for_selector("#gw-patrol-end:not([hidden])")
    page.wait_for_selector("#gw-toast.show")
    assert page.inner_text("#gw-toast") == "巡查已开始"
    assert Patrol.objects.filter(worker=field.alice, ended_at__isnull=True).count() == 1

    # A mistake while online: the server's message on the form, nothing kept.
    page.goto(f"{base}/gridwork/m/finding/")
    page.check("input[name=category][value=fire]")
    page.fill("textarea[name=description]", "楼道堆放纸箱")
    page.check("input[name=outcome][value=fixed]")
    page.click("button[type=submit]")
    page.wait_for_selector(".gw-form-error:not([hidden])")
    assert "照片" in page.inner_text(".gw-form-error") and not Finding.objects.exists()

    # The signal goes: the entry waits on the phone.
    photo = tmp_path / "fixed.png"
    photo.write_bytes(PNG)
    context.set_offline(True)
    page.fill("textarea[name=handled_note]", "已联系住户清理完毕")
    page.set_input_files("input[name=photos]", str(photo))
    page.click("button[type=submit]")
    page.wait_for_function(
        "() => document.querySelector('.gw-outbox') && !document.querySelector('.gw-outbox').hidden"
    )
    assert "待发送 1 条" in page.inner_text(".gw-outbox")
    page.screenshot(path=SHOTS.format("1-offline"), full_page=True)
    assert not Finding.objects.exists()
    # The patrol ends offline too (its end waits behind the finding).
    page.evaluate("""() => {
        const form = document.createElement('form'); form.id = 'gw-patrol-end';
        form.innerHTML = '<input name="places" value="1号楼"><input name="people_met" value="6">'
            + '<input name="note">';
        document.body.appendChild(form);
        form.dispatchEvent(new Event('submit', {bubbles: true, cancelable: true}));
    }""")
    page.wait_for_function("() => /待发送 [23] 条/.test(document.querySelector('.gw-outbox').textContent)")

    # The signal returns: sent in order, once.
    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_function("() => document.querySelector('.gw-outbox').hidden", timeout=15000)
    page.screenshot(path=SHOTS.format("2-online"), full_page=True)
    finding = Finding.objects.get()
    assert finding.outcome == "fixed" and finding.patrol is not None and finding.lon == 120.305
    assert Photo.objects.filter(finding=finding).count() == 1
    patrol = Patrol.objects.get()
    assert patrol.ended_at is not None and patrol.people_met == 6
    # Flushing again (as the timer does) sends nothing twice.
    page.evaluate("() => window.civicgridGridwork.flush()")
    page.wait_for_timeout(500)
    assert Finding.objects.count() == 1
    page.goto(f"{base}/gridwork/m/log/")
    assert "楼道堆放纸箱" in page.inner_text("main")
