"""The phone script's words go through gettext (``gridwork.jstext``), and come with the page.

gridwork.js is a static file: its texts are in ``JS_TEXT`` (gettext_lazy, the Chinese text
as msgid), each phone page carries them in a JSON block the script reads with ``i18n(name,
values)``, and the script itself holds no Chinese outside its comments. The service worker
(a template) says its offline sentence through {% translate %}. With a catalogue that
translates two of these texts, the page and the service worker show the translations.
"""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings

from civicgrid.core.tests.test_i18n import write_mo
from civicgrid.gridwork.jstext import JS_TEXT, js_text
from civicgrid.gridwork.tests.conftest import Field
from civicgrid.web.tests.test_templates_i18n import HAN, untranslated

GRIDWORK = Path(__file__).resolve().parents[1]
SCRIPT = GRIDWORK / "static" / "gridwork" / "gridwork.js"
SERVICE_WORKER = GRIDWORK / "templates" / "gridwork" / "m" / "sw.js"
# i18n("name") or i18n("name", { a: …, b: … }): the name and the names of the values given.
CALL = re.compile(r"\bi18n\(\"(\w+)\"(?:,\s*\{([^{}]*)\})?\)")
VALUE_NAME = re.compile(r"(?:^|,)\s*(\w+)\s*:")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
TEXT_BLOCK = re.compile(r'<script id="gw-text" type="application/json">(.*?)</script>', re.S)


def without_comments(source: str) -> str:
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    return re.sub(r"(^|\s)//.*$", r"\1", source, flags=re.M)


def script_calls() -> dict[str, set[str]]:
    """Each text name the script asks for, with the names of the values it fills in."""
    calls: dict[str, set[str]] = {}
    for name, values in CALL.findall(without_comments(SCRIPT.read_text(encoding="utf-8"))):
        calls.setdefault(name, set()).update(VALUE_NAME.findall(values))
    return calls


def test_the_phone_script_holds_no_chinese_outside_comments() -> None:
    code = without_comments(SCRIPT.read_text(encoding="utf-8"))
    found = [line.strip() for line in code.splitlines() if HAN.search(line)]
    assert found == [], "a text of gridwork.js belongs in gridwork/jstext.py, shown with i18n(…)"
    # No local name hides the helper (a handler calling it would throw).
    assert not re.search(r"\b(?:var|let|const)\s+i18n\b|function\s*\w*\([^)]*\bi18n\b", code)


def test_every_text_the_script_asks_for_exists_with_the_values_it_fills() -> None:
    calls = script_calls()
    assert len(calls) > 30  # the pattern found the calls
    assert set(calls) == set(JS_TEXT), "names missing from JS_TEXT, or texts no longer used"
    for name, values in calls.items():
        assert set(PLACEHOLDER.findall(str(JS_TEXT[name]))) == values, name


def test_the_service_worker_says_its_sentence_through_translate() -> None:
    assert untranslated(SERVICE_WORKER.read_text(encoding="utf-8")) == []


def page_texts(html: str) -> dict[str, str]:
    block = TEXT_BLOCK.search(html)
    assert block is not None, "the page carries no gw-text block"
    texts: dict[str, str] = json.loads(block.group(1))
    return texts


@pytest.mark.django_db
def test_each_phone_page_carries_the_texts_before_the_script(field: Field) -> None:
    phone = Client()
    phone.force_login(field.alice)
    for url in ("/gridwork/m/", "/gridwork/m/finding/", "/gridwork/m/visit/", "/gridwork/m/queue/"):
        html = phone.get(url).content.decode()
        assert page_texts(html) == js_text(), url
        assert html.index('id="gw-text"') < html.index("gridwork/gridwork.js"), url
    assert page_texts(html)["queue_waiting"] == "待发送 %(n)s 条"


@pytest.fixture
def catalogue(tmp_path: Path) -> Any:
    english = {
        "待发送 %(n)s 条": "%(n)s waiting",
        "当前没有网络，此页面尚未缓存。请返回工作台继续记录。": "No network & this page is not kept.",
    }
    write_mo(tmp_path / "zh_Hans" / "LC_MESSAGES" / "django.mo", english)
    with override_settings(LOCALE_PATHS=[tmp_path]):
        yield


@pytest.mark.django_db
def test_the_catalogue_reaches_the_script_and_the_service_worker(field: Field, catalogue: Any) -> None:
    phone = Client()
    phone.force_login(field.alice)
    texts = page_texts(phone.get("/gridwork/m/queue/").content.decode())
    assert texts["queue_waiting"] == "%(n)s waiting" and texts["queue_failed"] == "未通过 %(n)s 条"
    worker = phone.get("/gridwork/m/sw.js").content.decode()
    # HTML-escaped for the page it becomes, then escaped for the script's string.
    assert r'var NOT_KEPT = "No network \u0026amp\u003B this page is not kept.";' in worker
