"""A resident's audit rows keep the birth year only: the full birth date next to the masked ID
number (which hides the birth date) gave the auditor the number back. New rows are written
so, on the 审计日志 page and in its Excel export alike; migration 0008 cuts the rows written
before, and leaves the audit table append-only afterwards."""

import importlib
from datetime import date
from io import BytesIO
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.test import Client
from openpyxl import load_workbook

from civicgrid.core.audit import audit_write
from civicgrid.core.models import AuditLog
from civicgrid.registry import services
from civicgrid.registry.constants import Verb
from civicgrid.registry.tests.factories import World, make_id_number

pytestmark = pytest.mark.django_db

BORN = make_id_number("32021320050315779")  # born 2005-03-15


def all_text(rows: list[AuditLog]) -> str:
    return repr([(row.before, row.after) for row in rows])


def test_creating_and_editing_a_resident_audits_the_birth_year_only(world: World) -> None:
    c = world.city
    resident = services.resident_create(actor=c.bob, node=c.grid_a1_1, name="陈小雨", id_number=BORN)
    services.resident_update(actor=c.bob, resident=resident, note="补充")
    without_id = services.resident_create(
        actor=c.bob, node=c.grid_a1_1, name="周敏", birth_date=date(1990, 7, 8)
    )
    services.resident_update(actor=c.bob, resident=without_id, birth_date=date(1991, 2, 3))

    created = AuditLog.objects.filter(verb=Verb.RESIDENT_CREATED, target_id=str(resident.pk)).get()
    updated = AuditLog.objects.filter(verb=Verb.RESIDENT_UPDATED, target_id=str(resident.pk)).get()
    assert created.after is not None and created.after["birth_date"] == 2005
    assert updated.before is not None and updated.after is not None
    assert updated.before["birth_date"] == updated.after["birth_date"] == 2005
    assert updated.after["id_number_masked"] == resident.id_number_masked
    corrected = AuditLog.objects.filter(verb=Verb.RESIDENT_UPDATED, target_id=str(without_id.pk)).get()
    assert corrected.before is not None and corrected.after is not None
    assert (corrected.before["birth_date"], corrected.after["birth_date"]) == (1990, 1991)
    text = all_text(list(AuditLog.objects.filter(target_type="registry.resident")))
    for full in ("2005-03-15", "1990-07-08", "1991-02-03", "20050315"):
        assert full not in text


def test_the_audit_page_and_its_export_show_no_full_birth_date(world: World, client: Client) -> None:
    c = world.city
    resident = services.resident_create(actor=c.bob, node=c.grid_a1_1, name="陈小雨", id_number=BORN)
    services.resident_update(actor=c.bob, resident=resident, note="补充")
    client.force_login(c.auditor)

    html = client.get("/audit/", {"target": f"registry.resident#{resident.pk}"}).content.decode()
    assert resident.id_number_masked in html  # the edit's rows are on the page
    assert "2005-03-15" not in html

    answer = client.get("/audit/", {"export": "xlsx"})
    assert answer.status_code == 200
    book = load_workbook(BytesIO(answer.content))
    cells = " ".join(
        str(v) for sheet in book.worksheets for r in sheet.iter_rows(values_only=True) for v in r
    )
    assert resident.id_number_masked in cells
    assert "2005-03-15" not in cells


# --- migration 0008: the rows written before ---------------------------------------------


def old_row(target_type: str, before: Any, after: Any) -> AuditLog:
    with transaction.atomic():
        return audit_write(
            actor=None,
            verb=Verb.RESIDENT_UPDATED,
            target_type=target_type,
            target_id="1",
            before=before,
            after=after,
        )


def run_migration() -> None:
    module = importlib.import_module("civicgrid.registry.migrations.0008_audit_birth_year")
    module.birth_year_only(apps, SimpleNamespace(connection=connection))


def test_the_migration_cuts_old_birth_dates_to_the_year_and_keeps_the_log_append_only(world: World) -> None:
    masked = "320***********7792"
    edit = old_row(
        "registry.resident",
        {"name": "陈小雨", "birth_date": "2005-03-15", "id_number_masked": masked},
        {"name": "陈小雨", "birth_date": "2005-03-15", "id_number_masked": masked, "note": "补充"},
    )
    created = old_row("registry.resident", None, {"name": "周敏", "birth_date": "1990-07-08"})
    blank = old_row("registry.resident", {"birth_date": None}, {"birth_date": "1991-02-03"})
    other = old_row("volunteers.volunteer", None, {"birth_date": "1988-01-02"})  # not this app's

    run_migration()

    edit.refresh_from_db()
    assert edit.before == {"name": "陈小雨", "birth_date": 2005, "id_number_masked": masked}
    assert edit.after == {"name": "陈小雨", "birth_date": 2005, "id_number_masked": masked, "note": "补充"}
    created.refresh_from_db()
    assert created.before is None and created.after == {"name": "周敏", "birth_date": 1990}
    blank.refresh_from_db()
    assert blank.before == {"birth_date": None} and blank.after == {"birth_date": 1991}
    other.refresh_from_db()
    assert other.after == {"birth_date": "1988-01-02"}
    run_migration()  # twice: nothing more to cut
    edit.refresh_from_db()
    assert edit.after is not None and edit.after["birth_date"] == 2005
    # The update refusal is back in place.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog.objects.filter(pk=edit.pk).update(after={"birth_date": "2005-03-15"})
    edit.refresh_from_db()
    assert edit.after is not None and edit.after["birth_date"] == 2005
