"""What the browser tests share: Debian's Chromium driven by Playwright against the live test
server (the ``browser`` fixture is in ``civicgrid/conftest.py``); skipped where either is missing."""

import shutil
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "civicgrid-test-pw"  # the fixtures' password (civicgrid.conftest.make_user)

# A browser test module's pytestmark.
MARKS = [
    pytest.mark.skipif(
        shutil.which(CHROMIUM) is None, reason=f"没有 {CHROMIUM}（Debian 的 chromium 包，bin/setup 会安装）"
    ),
    # The live server needs committed rows; restore what migrations wrote (groups, calendar).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def signed_in_page(browser: Any, base: str, username: str, *, sign_in_timeout: int, timeout: int) -> Any:
    """A desktop-sized page of a new context, signed in as ``username`` (the fixtures'
    password); ``sign_in_timeout`` ms for the sign-in (a session's first page may be slow on
    a busy machine), ``timeout`` ms for what the test does after it."""
    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(sign_in_timeout)
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    page.set_default_timeout(timeout)
    return page
