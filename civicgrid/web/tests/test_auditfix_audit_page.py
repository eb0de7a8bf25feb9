"""The audit page (/audit/): who did it (username and name), exact username filter, full
request id with a prefix search, every verb and the personal-information group, the area's
line from the top, reversed dates refused, the export in the page's words, GET only; and the
security administrator reviewing the auditors' own rows (三员分立)."""

import io
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from openpyxl import load_workbook

from civicgrid.conftest import City, make_user
from civicgrid.core.audit import audit_row
from civicgrid.core.models import AuditLog
from civicgrid.core.views_audit import PII_GROUP, VERB_LABELS

pytestmark = pytest.mark.django_db


def _row(actor: Any, verb: str, request_id: str = "", **kw: Any) -> AuditLog:
    with transaction.atomic():
        row = audit_row(actor=actor, verb=verb, **kw)
        row.request_id = request_id
        row.save(force_insert=True)
    return row


def _page(client: Client, **params: str) -> str:
    response = client.get("/audit/", params)
    assert response.status_code == 200, response.content.decode()[:300]
    return response.content.decode()


def _actors(client: Client, **params: str) -> set[str]:
    response = client.get("/audit/", {**params, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    return {str(r[1]) for r in list(sheet.iter_rows(values_only=True))[1:]}


def test_actor_column_and_filter(client: Client, city: City) -> None:
    handler, other = make_user("handler", "韩军"), make_user("handler-2", "何平")
    _row(handler, "requests.sign")
    _row(other, "requests.sign")
    client.force_login(city.auditor)
    assert "韩军" in _page(client)  # the display name beside the username
    assert _actors(client, actor="handler") == {"handler"}  # exact, not every handler-*
    assert _actors(client, actor="handl") == {"handler", "handler-2"}
    assert _actors(client, actor="韩军") == {"handler"}  # by the display name


def test_full_request_id_searchable_by_prefix(client: Client, city: City) -> None:
    rid = "64d861ad0f1e4c2a9b7d3e5f6a7b8c9d"
    _row(city.bob, "requests.sign", request_id=rid, target=city.comm_a1)
    _row(city.bob, "requests.sign", request_id="ffff0000")
    client.force_login(city.auditor)
    html = _page(client)
    assert rid in html and "64d861ad0..." not in html and "64d861ad0…" not in html
    found = _page(client, request_id="64d861ad")
    assert rid in found and "ffff0000" not in found
    assert rid in _page(client, target=f"territory.node#{city.comm_a1.pk}")


def test_every_known_verb_and_the_pii_group_are_offered(client: Client, city: City) -> None:
    _row(city.bob, "requests.requester_pii_viewed")
    _row(city.bob, "registry.resident_pii_searched")
    _row(city.bob, "requests.sign")
    client.force_login(city.auditor)
    html = _page(client)
    assert 'value="requests.phone_searched"' in html and 'value="points.redemption_expired"' in html
    assert "全部个人信息查看" in html and f'value="{PII_GROUP}"' in html
    response = client.get("/audit/", {"verb": PII_GROUP, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    verbs = {r[4] for r in list(sheet.iter_rows(values_only=True))[1:]}
    assert verbs == {"requests.requester_pii_viewed", "registry.resident_pii_searched"}
    assert "requests.caller_history_viewed" in VERB_LABELS


def test_area_line_from_the_top_without_a_raw_path(client: Client, city: City) -> None:
    _row(city.bob, "requests.sign", node=city.comm_a1)
    client.force_login(city.auditor)
    html = _page(client)
    assert "梁溪区 / 崇安寺街道 / 胜利门社区" in html
    assert f'title="{city.comm_a1.path}"' not in html


def test_reversed_dates_name_the_field(client: Client, city: City) -> None:
    client.force_login(city.auditor)
    response = client.get("/audit/", {"date_from": "2026-10-08", "date_to": "2026-10-01"})
    html = response.content.decode()
    assert response.status_code == 422 and "结束日期不能早于开始日期" in html and "共 0 条" not in html


def test_export_after_in_the_page_words(client: Client, city: City) -> None:
    _row(city.bob, "requests.requester_pii_viewed", after={"fields": ["requester_name", "requester_phone"]})
    client.force_login(city.auditor)
    sheet = load_workbook(io.BytesIO(client.get("/audit/", {"export": "xlsx"}).content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    after = rows[1][10]
    assert isinstance(after, str) and "诉求人电话" in after and "{" not in after
    assert rows[0][-1] == "操作人姓名" and rows[1][-1] == "李明"


def test_post_is_refused(client: Client, city: City) -> None:
    client.force_login(city.auditor)
    assert client.post("/audit/").status_code == 405


def test_the_verb_select_fits_a_phone() -> None:
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static" / "civicgrid" / "app.css").read_text()
    assert ".filters select { max-width: 100%" in css


def test_secadmin_reviews_the_auditors_rows_only(client: Client, city: City) -> None:
    _row(city.auditor, "core.audit_searched")
    _row(city.bob, "requests.sign")
    _row(city.secadmin, "accounts.user_created")
    client.force_login(city.secadmin)
    html = _page(client)
    assert "core.audit_searched" in html and "<code>requests.sign</code>" not in html
    assert "<code>accounts.user_created</code>" not in html and "三员分立" in html
    assert "export=xlsx" not in html
    assert client.get("/audit/", {"export": "xlsx"}).status_code == 403
    assert "<code>requests.sign</code>" not in _page(client, actor="bob")
    assert client.post("/audit/").status_code == 405
    client.force_login(city.auditor)  # the auditor still sees everything
    html = _page(client)
    assert "<code>requests.sign</code>" in html and "<code>accounts.user_created</code>" in html
    client.force_login(city.bob)
    assert client.get("/audit/").status_code == 403
