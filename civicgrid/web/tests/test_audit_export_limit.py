"""An audit log longer than one export takes is refused with its count, never cut silently."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from civicgrid.conftest import City
from civicgrid.core.models import AuditLog
from civicgrid.exchange import exports

pytestmark = pytest.mark.django_db


def test_a_log_over_the_limit_is_refused_and_nothing_is_audited(
    client: Client, city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = AuditLog.objects.count()
    assert rows > 3  # the test city's own creation is audited
    monkeypatch.setattr(exports, "EXPORT_MAX", rows - 1)
    client.force_login(city.auditor)
    response = client.get("/audit/", {"export": "xlsx"})
    assert response.status_code == 422
    assert f"共 {rows} 条，超过单次导出上限 {rows - 1} 条" in response.content.decode()
    assert "attachment" not in response.get("Content-Disposition", "")
    assert not AuditLog.objects.filter(verb="exchange.exported").exists()


def test_a_log_within_the_limit_is_exported_whole(
    client: Client, city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = AuditLog.objects.count()
    monkeypatch.setattr(exports, "EXPORT_MAX", rows)
    client.force_login(city.auditor)
    response = client.get("/audit/", {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None and sheet.max_row == rows + 1  # the header and every row
