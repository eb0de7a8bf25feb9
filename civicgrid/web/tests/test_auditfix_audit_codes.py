"""The audit page and its export read every snapshot key the apps write as a word, known codes
as their names (a tag, an identifier kind, how a search came about, a verb in the filters),
a lookup by phone as what it was; and the security administrator's 操作 select offers only
the verbs among the auditors' rows, under the heading 审计员操作."""

import ast
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from openpyxl import load_workbook

from civicgrid.conftest import City
from civicgrid.core.audit import audit_row
from civicgrid.core.models import AuditLog
from civicgrid.core.views_audit import KEY_WORDS, PII_GROUP
from civicgrid.registry.models import ResidentTag

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _row(actor: Any, verb: str, **kw: Any) -> AuditLog:
    with transaction.atomic():
        row = audit_row(actor=actor, verb=verb, **kw)
        row.save(force_insert=True)
    return row


def _keys(node: ast.AST) -> set[str]:
    """The string keys of a dict literal and of the dicts nested in it."""
    found: set[str] = set()
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                found.add(key.value)
            found |= _keys(value)
    elif isinstance(node, ast.IfExp):
        found |= _keys(node.body) | _keys(node.orelse)
    elif isinstance(node, ast.List):
        for element in node.elts:
            found |= _keys(element)
    return found


def test_every_key_the_apps_write_has_a_word() -> None:
    written: dict[str, str] = {}
    for path in (ROOT).rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("audit_write", "audit_row"):
                for keyword in node.keywords:
                    if keyword.arg in ("before", "after"):
                        for key in _keys(keyword.value):
                            written.setdefault(key, f"{path.relative_to(ROOT)}:{node.lineno}")
    assert len(written) > 100
    # besides those literals: the keys built in code (a search's, a demo's counts)
    built = {"targets", "via", "kind", "tag", "seed", "contracts", "due_on", "notified", "verb", "filters"}
    missing = {k: where for k, where in written.items() if k not in KEY_WORDS}
    assert not missing, missing
    assert not built - set(KEY_WORDS)


def _tag() -> None:
    ResidentTag.objects.update_or_create(code="serious_mental_illness", defaults={"name": "严重精神障碍患者"})


def _rows(city: City) -> None:
    _tag()
    _row(
        city.olivia,
        "requests.caller_history_viewed",
        target_type="requests.request",
        after={"phone": "130****3313", "phone_key": "0123456789abcdef", "hits": 7},
    )
    _row(
        city.bob,
        "registry.resident_sensitive_listed",
        target_type="registry.residenttag",
        target_id="serious_mental_illness",
        target_label="serious_mental_illness",
        after={"tag": "serious_mental_illness", "hits": 3},
    )
    _row(
        city.bob,
        "registry.resident_pii_searched",
        target_type="registry.resident",
        target_id="5",
        target_label="张三 110***1234",
        after={
            "kind": "id_number",
            "hits": 1,
            "targets": [{"id": 5, "label": "张三 110***1234"}],
            "via": "registration",
        },
    )
    _row(
        city.auditor,
        "core.audit_searched",
        target_type="core.auditlog",
        after={"filters": {"verb": PII_GROUP}},
    )
    _row(city.alice, "gridwork.care_warning_raised", after={"due_on": "2026-11-01", "notified": 2})
    _row(None, "property.demo_built", after={"seed": 7, "contracts": 3})


RAW = (
    "phone：",
    "hits：",
    "tag：",
    "kind：",
    "via：",
    "targets：",
    "filters：",
    "verb：",
    "due_on",
    "notified",
    "seed：",
    "contracts",
    "id_number",
    "registration",
    "{id",
    "label：",
)


def test_the_page_reads_keys_and_codes_as_words(client: Client, city: City) -> None:
    _rows(city)
    client.force_login(city.auditor)
    html = client.get("/audit/").content.decode()
    shown = re.sub(r'title="[^"]*"', "", html)  # a key's code stays as its tooltip
    for raw in RAW:
        assert raw not in shown, raw
    for word in (
        "电话号码",
        "130****3313",
        "命中数",
        "号码指纹",
        "人员标签",
        "严重精神障碍患者",
        "身份证号",
        "张三 110***1234（5）",
        "登记居民时查重",
        "全部个人信息查看",
        "应走访日期",
        "已通知",
        "随机种子",
        "物业进驻数",
        "来电号码查询",
    ):
        assert word in html, word
    assert "requests.request#<" not in html.replace(" ", "")
    assert "serious_mental_illness registry" not in html


def test_the_export_reads_as_the_page(client: Client, city: City) -> None:
    _rows(city)
    client.force_login(city.auditor)
    sheet = load_workbook(io.BytesIO(client.get("/audit/", {"export": "xlsx"}).content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))[1:]
    text = "\n".join(str(c) for r in rows for c in (r[5], r[9], r[10]))
    for raw in RAW:
        assert raw not in text, raw
    for word in (
        "严重精神障碍患者",
        "身份证号",
        "登记居民时查重",
        "全部个人信息查看",
        "来电号码查询",
        "物业进驻数",
    ):
        assert word in text, word


def test_secadmin_is_offered_only_the_auditors_verbs(client: Client, city: City) -> None:
    _row(city.auditor, "core.audit_searched")
    _row(city.bob, "requests.sign")
    client.force_login(city.secadmin)
    html = client.get("/audit/").content.decode()
    select = html[html.index('name="verb"') : html.index("</select>")]
    assert 'value="core.audit_searched"' in select
    assert 'value="requests.sign"' not in select and 'value="accounts.logged_in"' not in select
    assert PII_GROUP not in select  # no PII verb among the auditors' rows
    assert "<h1>审计员操作</h1>" in html
    _row(city.auditor, "registry.resident_pii_viewed")
    select = client.get("/audit/").content.decode().split('name="verb"')[1].split("</select>")[0]
    assert PII_GROUP in select and 'value="registry.resident_pii_viewed"' in select
    client.force_login(city.auditor)  # the auditor keeps every verb and the page's name
    html = client.get("/audit/").content.decode()
    assert 'value="accounts.logged_in"' in html and "<h1>审计日志</h1>" in html
