"""Every word a template shows goes through Django's translation machinery, with the Chinese
text as the msgid (the product's source language is Chinese, LANGUAGE_CODE zh-hans).

* The machinery works on real pages: with a catalogue that translates a few of a page's
  msgids (a text node, an attribute, a sentence with a number, a string in a page script),
  the page shows the translations.
* A guard: no template holds Chinese outside {% translate %}, {% blocktranslate %} or _("…")
  (comments excepted), so a new template keeps the rule; and every template compiles (a
  translation tag without {% load i18n %} does not).
"""

import array
import re
import struct
from pathlib import Path
from typing import Any

import pytest
from django.template import engines
from django.template.base import Lexer, TokenType
from django.test import Client, override_settings

import civicgrid
from civicgrid.conftest import City

TEMPLATES = sorted(Path(civicgrid.__file__).parent.glob("**/templates/**/*.html"))

# Chinese characters and the full-width and CJK punctuation that belongs to them.
HAN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
TRANSLATED_LITERAL = re.compile(r"""_\(\s*(?:"[^"]*"|'[^']*')\s*\)""")


def untranslated(source: str) -> list[tuple[int, str]]:
    """(line, text) of each piece of Chinese outside the translation tags of a template."""
    found: list[tuple[int, str]] = []
    closing = ""  # inside blocktranslate or comment: the tag that ends it
    for token in Lexer(source).tokenize():
        contents, lineno = token.contents, token.lineno or 0
        if token.token_type == TokenType.BLOCK:
            word = contents.split()[0] if contents else ""
            if closing:
                closing = "" if word == closing else closing
                continue
            if word in ("blocktranslate", "blocktrans", "comment"):
                closing = "end" + word
            elif word not in ("translate", "trans") and HAN.search(TRANSLATED_LITERAL.sub("", contents)):
                found.append((lineno, contents))
        elif closing or token.token_type == TokenType.COMMENT:
            continue
        elif token.token_type == TokenType.VAR:
            if HAN.search(TRANSLATED_LITERAL.sub("", contents)):
                found.append((lineno, contents))
        else:
            lines = enumerate(contents.split("\n"))
            found.extend((lineno + i, line.strip()) for i, line in lines if HAN.search(line))
    return found


def test_the_guard_finds_chinese_outside_translation_tags() -> None:
    source = """{% load i18n %}{# 注释可以 #}<h1>{% translate "标题" %}</h1>
<p title="提示">{% blocktranslate with n=page.count %}共 {{ n }} 条{% endblocktranslate %}</p>
{{ day|date:_("Y年n月") }} {{ day|date:"n月" }}
{% comment %}这里也可以{% endcomment %}<script>alert("好");</script>"""
    assert [line for line, _ in untranslated(source)] == [2, 3, 4]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(Path(civicgrid.__file__).parent)))
def test_templates_show_no_chinese_outside_translation_tags(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert untranslated(source) == []
    engines["django"].from_string(source)  # compiles: each translation tag has its {% load i18n %}


def _write_mo(path: Path, messages: dict[str, str]) -> None:
    """A GNU .mo catalogue (the layout msgfmt writes), so the test needs no gettext tools."""
    catalogue = {"": "Content-Type: text/plain; charset=UTF-8\n", **messages}
    keys = sorted(k.encode() for k in catalogue)
    values = [catalogue[k.decode()].encode() for k in keys]
    ids = strs = b""
    entries = []
    for key, value in zip(keys, values, strict=True):
        entries.append((len(ids), len(key), len(strs), len(value)))
        ids += key + b"\0"
        strs += value + b"\0"
    key_start = 7 * 4 + 16 * len(keys)
    value_start = key_start + len(ids)
    key_offsets: list[int] = []
    value_offsets: list[int] = []
    for id_offset, id_length, str_offset, str_length in entries:
        key_offsets += [id_length, id_offset + key_start]
        value_offsets += [str_length, str_offset + value_start]
    offsets = key_offsets + value_offsets
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    path.parent.mkdir(parents=True)
    path.write_bytes(header + array.array("i", offsets).tobytes() + ids + strs)


TEST_CATALOGUE = {
    "实有人口": "Residents",  # a text node and the page title
    "证件号和手机号需完整输入": "Type the whole ID or phone number",  # an attribute
    # blocktranslate, a number in the sentence
    "共 %(num)s 条。审计日志只能查看，任何人都不能修改或删除。": "%(num)s entries, read only.",
    "网格范围加载失败，请刷新重试": 'Grids did not load, "reload"',  # a string in a page's script
}


@pytest.fixture
def test_catalogue(tmp_path: Path) -> Any:
    _write_mo(tmp_path / "zh_Hans" / "LC_MESSAGES" / "django.mo", TEST_CATALOGUE)
    # Changing LOCALE_PATHS drops the loaded catalogues (Django's setting_changed receiver),
    # on the way in and on the way out.
    with override_settings(LOCALE_PATHS=[tmp_path]):
        yield


def test_pages_show_the_catalogues_translations(city: City, client: Client, test_catalogue: Any) -> None:
    client.force_login(city.bob)
    page = client.get("/registry/residents/").content.decode()
    assert "<h1>Residents" in page and "<title>Residents ·" in page
    assert 'placeholder="Type the whole ID or phone number"' in page
    assert "<h1>实有人口" not in page

    tree = client.get("/territory/").content.decode()
    assert r"Grids did not load, \u0022reload\u0022" in tree  # escaped for the script's string

    client.force_login(city.auditor)
    audit = client.get("/audit/").content.decode()
    assert re.search(r"\d+ entries, read only\.", audit), audit


def test_without_the_test_catalogue_the_pages_speak_chinese(city: City, client: Client) -> None:
    client.force_login(city.bob)
    page = client.get("/registry/residents/").content.decode()
    assert "<h1>实有人口" in page and 'placeholder="证件号和手机号需完整输入"' in page
