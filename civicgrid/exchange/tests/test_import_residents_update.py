"""A resident file naming registered ID numbers updates those residents (a community's yearly
sheet with full ID numbers): filled cells change, blank cells keep, refused rows import
nothing, and each update is one audit row without the phone's ciphertext."""

from typing import Any

import pytest

from civicgrid.core import crypto
from civicgrid.core.models import AuditLog
from civicgrid.exchange.models import ImportKind, ImportStatus
from civicgrid.exchange.tests.conftest import RunImport
from civicgrid.exchange.tests.files import RESIDENT_HEADER, csv_bytes, id_number
from civicgrid.registry import services as registry
from civicgrid.registry.models import Household, ResidenceType, Resident

pytestmark = pytest.mark.django_db


def registered(city: Any, run_import: RunImport) -> None:
    grid = city.grid_a1_1.code
    rows = [
        RESIDENT_HEADER,
        [grid, "张伟", id_number(1), "13812345678", "", "", "户籍人口", "HH-A", "户主", "党员、志愿者"],
        [grid, "王芳", id_number(2), "13900000002", "女", "", "户籍人口", "HH-A", "配偶", ""],
    ]
    job = run_import(city.bob, ImportKind.RESIDENTS, "a.csv", csv_bytes(rows))
    assert job.status == ImportStatus.DONE, job.errors


def test_filled_cells_update_blank_cells_keep_and_new_rows_are_added(
    city: Any, run_import: RunImport
) -> None:
    registered(city, run_import)
    grid = city.grid_a1_1.code
    rows = [
        RESIDENT_HEADER,
        # 张伟: new phone, now a floating resident, tags replaced; blank household keeps HH-A.
        [grid, "张伟", id_number(1), "13700001111", "", "", "流动人口", "", "", "独居老人"],
        # 王芳: the stored mask in the phone cell keeps the phone; all the rest as stored.
        [grid, "王芳", id_number(2), "139****0002", "", "", "", "", "", ""],
        [grid, "刘洋", id_number(3), "", "", "", "", "", "", ""],
    ]
    job = run_import(city.bob, ImportKind.RESIDENTS, "b.csv", csv_bytes(rows))
    assert job.status == ImportStatus.DONE, job.errors
    assert job.counts == {"residents": 1, "households": 0, "tags": 0, "updated": 1, "unchanged": 1}
    assert "更新 1" in job.message and "未变 1" in job.message
    zhang = Resident.objects.get(name="张伟")
    assert crypto.decrypt(zhang.phone_enc) == "13700001111" and zhang.phone_masked == "137****1111"
    assert zhang.phone_hash == crypto.blind_index("13700001111")
    assert zhang.residence_type == ResidenceType.FLOATING
    assert zhang.household == Household.objects.get(code="HH-A") and zhang.relation_to_head == "户主"
    assert [t.code for t in zhang.tags.all()] == ["elderly_alone"]
    wang = Resident.objects.get(name="王芳")
    assert crypto.decrypt(wang.phone_enc) == "13900000002"
    assert Resident.objects.count() == 3
    row = AuditLog.objects.get(verb="registry.resident_updated", target_id=str(zhang.pk))
    assert row.actor == city.bob and (row.after or {})["via"] == "import"
    assert (row.after or {})["phone_masked"] == "137****1111"
    assert (row.after or {})["tags"] == ["独居老人"] and (row.before or {})["tags"] == ["党员", "志愿者"]
    assert "phone_enc" not in (row.after or {}) and "phone_hash" not in (row.after or {})
    assert not AuditLog.objects.filter(verb="registry.resident_updated", target_id=str(wang.pk)).exists()


def test_the_same_file_twice_changes_nothing_the_second_time(city: Any, run_import: RunImport) -> None:
    registered(city, run_import)
    rows = [RESIDENT_HEADER, [city.grid_a1_1.code, "张伟", id_number(1), "", "", "", "", "", "", ""]]
    job = run_import(city.bob, ImportKind.RESIDENTS, "b.csv", csv_bytes(rows))
    assert job.status == ImportStatus.DONE, job.errors
    assert job.counts == {"residents": 0, "households": 0, "tags": 0, "updated": 0, "unchanged": 1}
    assert Resident.objects.count() == 2


def test_a_new_household_code_moves_the_resident_into_that_household(
    city: Any, run_import: RunImport
) -> None:
    registered(city, run_import)
    rows = [RESIDENT_HEADER, [city.grid_a1_1.code, "王芳", id_number(2), "", "", "", "", "HH-B", "户主", ""]]
    job = run_import(city.bob, ImportKind.RESIDENTS, "b.csv", csv_bytes(rows))
    assert job.status == ImportStatus.DONE, job.errors
    wang = Resident.objects.get(name="王芳")
    assert wang.household == Household.objects.get(code="HH-B") and wang.relation_to_head == "户主"
    assert Household.objects.get(code="HH-B").head_name == "王芳"


def test_refused_updates_import_nothing_and_name_the_column(city: Any, run_import: RunImport) -> None:
    registered(city, run_import)
    zhang = Resident.objects.get(name="张伟")
    registry.resident_update(actor=city.bob, resident=Resident.objects.get(name="王芳"), is_active=False)
    rows = [
        RESIDENT_HEADER,
        # Another grid: moving is done on the resident's page.
        [city.grid_a1_2.code, "张伟", id_number(1), "13700001111", "", "", "", "", "", ""],
        # Moved out: back in the register first.
        [city.grid_a1_1.code, "王芳", id_number(2), "13700002222", "", "", "", "", "", ""],
        [city.grid_a1_1.code, "新人", id_number(4), "", "", "", "", "", "", ""],
    ]
    job = run_import(city.bob, ImportKind.RESIDENTS, "b.csv", csv_bytes(rows))
    assert job.status == ImportStatus.FAILED
    reasons = {(e["row"], e["column"]): e["reason"] for e in job.errors}
    assert reasons[(2, "区域编码")].startswith(
        f"该身份证号的居民登记在 {city.grid_a1_1.name}（{city.grid_a1_1.code}）"
    )
    assert reasons[(3, "身份证号")].startswith("该身份证号的居民已迁出，导入不能修改")
    assert len(job.errors) == 2
    zhang.refresh_from_db()
    assert crypto.decrypt(zhang.phone_enc) == "13812345678"
    assert not Resident.objects.filter(name="新人").exists()


def test_a_resident_outside_the_scope_is_not_told_about(city: Any, run_import: RunImport) -> None:
    registered(city, run_import)  # by bob, in 胜利门 (comm_a1)
    rows = [RESIDENT_HEADER, [city.grid_b1_1.code, "张伟", id_number(1), "", "", "", "", "", "", ""]]
    job = run_import(city.carol, ImportKind.RESIDENTS, "c.csv", csv_bytes(rows))
    assert job.status == ImportStatus.FAILED
    assert job.errors == [
        {"row": 2, "column": "身份证号", "reason": "该身份证号已登记（不在您的管辖范围内），不能导入修改"}
    ]
