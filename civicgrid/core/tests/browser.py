"""What the browser tests share: Debian's Chromium driven by Playwright against the live test
server (the ``browser`` fixture is in ``civicgrid/conftest.py``); skipped where either is missing."""

import shutil

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
