"""An outside tester's round on the grid worker's phone pages (gridfix): what the server
sends the phone (the service worker, the forms' declared rules) and what it refuses."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from civicgrid.gridwork.tests.conftest import Field

pytestmark = pytest.mark.django_db

SCRIPT = Path(__file__).resolve().parents[1] / "static" / "gridwork" / "gridwork.js"


def browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- 1. pages opened online open offline --------------------------------------------------------


def test_the_service_worker_keeps_every_page_opened_online_and_never_shows_another(field: Field) -> None:
    worker = browser(field.alice).get("/gridwork/m/sw.js").content.decode()
    pages = re.search(r"var PAGES = \[(.*?)\];", worker)
    assert pages is not None and '"/gridwork/m/log/"' in pages.group(1)
    assert re.search(r"var MAX_PAGES = \d+;", worker)
    fetch = worker[worker.index('addEventListener("fetch"') :]
    # Network first for any page under the scope, kept under its own address (query included)…
    assert "PAGES.indexOf(url.pathname) >= 0" not in fetch.split(".catch")[0]
    assert "keep(key, r.clone())" in fetch and "url.pathname + url.search" in worker
    # …and offline, an unkept page says so instead of showing 今日 under its address.
    assert "caches.match(SCOPE)" not in worker and "notKept()" in fetch
    assert "当前没有网络，此页面尚未缓存" in worker


# --- 2. a visit needs one of its two fields before it is kept -------------------------------------


def test_the_visit_form_declares_that_one_of_its_subjects_is_required(field: Field) -> None:
    html = browser(field.alice).get("/gridwork/m/visit/").content.decode()
    assert 'data-gw-one-of="care_plan_id,resident_id"' in html
    assert 'data-gw-one-of-message="请选择走访对象：关爱对象或其他居民"' in html
    script = SCRIPT.read_text(encoding="utf-8")
    assert "dataset.gwOneOf" in script and "noneChosen(form)" in script


# --- 6. a visit locates itself ------------------------------------------------------------------


def test_the_visit_form_has_a_locate_button_and_locates_on_saving(field: Field) -> None:
    html = browser(field.alice).get("/gridwork/m/visit/").content.decode()
    form = html[html.index("<form") : html.index("</form>")]
    assert "gw-locate-btn" in form and "gw-locate-status" in form and "data-gw-locate-on-submit" in form
    assert 'name="lon"' in form and 'name="lat"' in form
    script = SCRIPT.read_text(encoding="utf-8")
    assert 'navigator.permissions.query({ name: "geolocation" })' in script
