"""The audit log's own use is audited (a filtered search, an Excel export), signing out is
audited, and the audit table refuses DELETE on SQLite as it does on PostgreSQL."""

import importlib
import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from openpyxl import load_workbook

from civicgrid.conftest import City
from civicgrid.core.audit import audit_write
from civicgrid.core.models import AuditLog
from civicgrid.core.views_audit import verb_label

pytestmark = pytest.mark.django_db


def _seed(city: City) -> None:
    with transaction.atomic():
        audit_write(actor=city.bob, verb="accounts.user_changed", target=city.carol)
        audit_write(actor=city.alice, verb="accounts.user_changed", target=city.dave)


def test_a_filtered_search_is_audited_once_not_its_pages(client: Client, city: City) -> None:
    _seed(city)
    client.force_login(city.auditor)
    assert client.get("/audit/").status_code == 200
    assert not AuditLog.objects.filter(verb="core.audit_searched").exists()  # no filters: no row
    assert client.get("/audit/", {"actor": "bob"}).status_code == 200
    assert client.get("/audit/", {"actor": "bob", "page": "1"}).status_code == 200
    row = AuditLog.objects.get(verb="core.audit_searched")
    assert row.actor_id == city.auditor.pk and row.after == {"filters": {"actor": "bob"}}
    assert str(verb_label("core.audit_searched")) == "检索审计日志"


def test_the_filtered_rows_export_to_excel_and_the_export_is_audited(client: Client, city: City) -> None:
    _seed(city)
    client.force_login(city.auditor)
    page = client.get("/audit/", {"actor": "bob"}).content.decode()
    assert "export=xlsx" in page
    response = client.get("/audit/", {"actor": "bob", "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("时间", "操作人", "经由", "操作")
    assert [r[1] for r in rows[1:]] == ["bob"]
    export = AuditLog.objects.get(verb="exchange.exported", target_type="core.auditlog")
    assert export.actor_id == city.auditor.pk and export.after is not None
    assert export.after["rows"] == 1 and export.after["filters"] == {"actor": "bob"}


def test_only_the_auditor_exports_the_log(client: Client, city: City) -> None:
    client.force_login(city.secadmin)
    assert client.get("/audit/", {"export": "xlsx"}).status_code == 403
    assert not AuditLog.objects.filter(verb="exchange.exported").exists()


def test_signing_out_is_audited(client: Client, city: City) -> None:
    client.force_login(city.bob)
    assert client.post("/logout/").status_code == 302
    row = AuditLog.objects.get(verb="accounts.logged_out")
    assert row.actor_id == city.bob.pk and row.target_id == "bob"
    assert str(verb_label("accounts.logged_out")) == "退出登录"
    client.force_login(city.secadmin)
    client.post("/admin/logout/")
    assert AuditLog.objects.filter(verb="accounts.logged_out", actor=city.secadmin).count() == 1


def test_the_audit_table_refuses_delete_and_update(city: City) -> None:
    if connection.vendor == "sqlite":  # the migration leaves the test database without it
        migration = importlib.import_module("civicgrid.core.migrations.0005_audit_no_delete_sqlite")
        with connection.cursor() as cursor:  # rolled back with the test
            cursor.execute(migration.SQLITE_FORWARD)
    _seed(city)
    count = AuditLog.objects.count()
    for sql in ("DELETE FROM core_auditlog", "UPDATE core_auditlog SET verb = 'x'"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditLog.objects.count() == count
