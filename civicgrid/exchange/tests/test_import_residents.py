"""Importing residents: all rows or none, every problem named by row, column and reason."""

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from civicgrid.core import crypto
from civicgrid.core.models import AuditLog
from civicgrid.exchange.models import ImportJob, ImportKind, ImportStatus
from civicgrid.exchange.tests.conftest import RunImport
from civicgrid.exchange.tests.files import RESIDENT_HEADER, csv_bytes, id_number, xlsx_bytes
from civicgrid.registry.models import Gender, Household, ResidenceType, Resident

pytestmark = pytest.mark.django_db


def good_rows(city: Any) -> list[list[Any]]:
    grid, other_grid = city.grid_a1_1.code, city.grid_a1_2.code
    return [
        RESIDENT_HEADER,
        [grid, "张伟", id_number(1), "13812345678", "", "", "户籍人口", "HH-A", "户主", "党员、志愿者"],
        [grid, "王芳", id_number(2), "", "女", "", "registered", "HH-A", "配偶", ""],
        [other_grid, "刘洋", "", "0510-12345678", "男", date(1990, 5, 4), "流动人口", "", "", "独居老人"],
    ]


def test_a_good_file_imports_every_row_with_protected_pii(city: Any, run_import: RunImport) -> None:
    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.xlsx", xlsx_bytes(good_rows(city)))

    assert job.status == ImportStatus.DONE, (job.message, job.errors)
    assert job.counts == {"residents": 3, "households": 1, "tags": 3}
    zhang = Resident.objects.get(name="张伟")
    assert zhang.node == city.grid_a1_1 and zhang.node_path == city.grid_a1_1.path
    assert crypto.decrypt(zhang.id_number_enc) == id_number(1)
    assert zhang.id_number_hash == crypto.blind_index(id_number(1))
    assert zhang.id_number_masked == crypto.mask_id_number(id_number(1))
    assert zhang.phone_masked == "138****5678" and crypto.decrypt(zhang.phone_enc) == "13812345678"
    assert zhang.birth_date == date(1985, 6, 1)  # from the ID number, as resident_create does
    assert zhang.gender == Gender.MALE  # 17th digit 1 is odd
    assert sorted(t.code for t in zhang.tags.all()) == ["party_member", "volunteer"]
    household = Household.objects.get(code="HH-A")
    assert household.head_name == "张伟" and household.node == city.grid_a1_1
    assert set(household.members.values_list("name", flat=True)) == {"张伟", "王芳"}
    liu = Resident.objects.get(name="刘洋")
    assert liu.residence_type == ResidenceType.FLOATING and liu.gender == Gender.MALE
    assert liu.birth_date == date(1990, 5, 4) and liu.household is None
    assert liu.phone_masked == "0510****5678"
    audit = AuditLog.objects.get(verb="exchange.import_completed")
    assert audit.actor == city.bob and audit.node_path == city.comm_a1.path
    assert audit.after is not None
    assert audit.after["counts"]["residents"] == 3 and audit.after["rows"] == 3
    assert AuditLog.objects.filter(verb="registry.resident_created").count() == 0  # one row per import


def test_progress_fields_reach_done_and_the_upload_is_deleted(
    city: Any, run_import: RunImport, media_root: Path
) -> None:
    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.csv", csv_bytes(good_rows(city)))

    assert job.status == ImportStatus.DONE
    assert (job.total_rows, job.processed_rows, job.percent) == (3, 3, 100)
    assert job.started_at is not None and job.finished_at is not None
    assert job.finished_at >= job.started_at
    assert not job.file
    assert not [p for p in media_root.rglob("*") if p.is_file()]


def test_one_bad_row_of_each_kind_imports_nothing_and_names_each_problem(
    city: Any, run_import: RunImport
) -> None:
    grid = city.grid_a1_1.code
    bad_check_digit = id_number(5)[:17] + ("0" if id_number(5)[17] != "0" else "1")
    rows = [
        RESIDENT_HEADER,
        [grid, "正常", id_number(3), "13812345678", "", "", "", "", "", ""],
        [grid, "校验位错", bad_check_digit, "", "", "", "", "", "", ""],
        ["NOSUCHNODE", "区域不存在", "", "", "", "", "", "", "", ""],
        [grid, "重复证号", id_number(3), "", "", "", "", "", "", ""],
        [grid, "电话错误", "", "12345", "", "", "", "", "", ""],
        [city.grid_b1_1.code, "外社区", "", "", "", "", "", "", "", ""],
    ]
    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.FAILED
    problems = {(e["row"], e["column"], e["reason"]) for e in job.errors}
    assert problems == {
        (3, "身份证号", "身份证号校验位错误"),
        (4, "区域编码", "区域编码 NOSUCHNODE 不存在"),
        (5, "身份证号", "与第2行的身份证号重复"),
        (6, "联系电话", "电话号码格式不正确（手机号11位，固定电话如0510-12345678）"),
        (7, "区域编码", f"区域编码 {city.grid_b1_1.code} 不在您可导入的管辖范围内"),
    }
    assert job.error_count == 5
    assert not Resident.objects.exists()
    assert not Household.objects.exists()
    assert not AuditLog.objects.filter(verb__startswith="exchange.").exists()


def test_choice_tag_and_node_kind_problems_are_reported(city: Any, run_import: RunImport) -> None:
    rows = [
        RESIDENT_HEADER,
        [city.grid_a1_1.code, "甲", "", "", "男的", "1990-13-01", "常住", "", "", "不存在的标签"],
    ]
    job = run_import(city.bob, ImportKind.RESIDENTS, "r.csv", csv_bytes(rows))

    reasons = {(e["row"], e["column"]): e["reason"] for e in job.errors}
    assert reasons[(2, "性别")] == "性别只能是男、女或未知"
    assert reasons[(2, "出生日期")] == "出生日期应为日期，如 1990-03-05"
    assert reasons[(2, "人口类型")] == "人口类型只能是户籍人口或流动人口"
    assert reasons[(2, "标签")] == "未知的标签：不存在的标签"
    assert len(job.errors) == 4


def test_carol_cannot_import_into_a1_and_nothing_changes(city: Any, run_import: RunImport) -> None:
    audit_before = AuditLog.objects.count()

    job = run_import(city.carol, ImportKind.RESIDENTS, "居民.xlsx", xlsx_bytes(good_rows(city)))

    assert job.status == ImportStatus.FAILED
    assert {e["row"] for e in job.errors} == {2, 3, 4}
    assert all("不在您可导入的管辖范围内" in e["reason"] for e in job.errors)
    assert not Resident.objects.exists() and not Household.objects.exists()
    assert AuditLog.objects.count() == audit_before


def test_a_grid_worker_without_import_capability_is_refused(city: Any, run_import: RunImport) -> None:
    from civicgrid.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        run_import(city.alice, ImportKind.RESIDENTS, "居民.csv", csv_bytes(good_rows(city)))
    assert not ImportJob.objects.exists() and not Resident.objects.exists()


def test_a_gbk_csv_from_excel_on_chinese_windows_imports(city: Any, run_import: RunImport) -> None:
    data = csv_bytes(good_rows(city), encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.csv", data)

    assert job.status == ImportStatus.DONE, job.errors
    assert set(Resident.objects.values_list("name", flat=True)) == {"张伟", "王芳", "刘洋"}


def test_utf8_csv_without_bom_imports(city: Any, run_import: RunImport) -> None:
    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.csv", csv_bytes(good_rows(city), "utf-8"))
    assert job.status == ImportStatus.DONE


def test_missing_required_columns_are_reported_on_row_one(city: Any, run_import: RunImport) -> None:
    job = run_import(city.bob, ImportKind.RESIDENTS, "r.csv", csv_bytes([["姓名", "电话"], ["甲", ""]]))

    assert job.status == ImportStatus.FAILED
    assert job.errors == [{"row": 1, "column": "区域编码", "reason": "缺少必填列，请使用下载的模板"}]


def test_an_id_number_typed_with_lower_case_x_is_accepted(city: Any, run_import: RunImport) -> None:
    number = next(n for n in map(id_number, range(100, 300)) if n.endswith("X"))
    rows = [RESIDENT_HEADER, [city.grid_a1_1.code, "小写", number.lower(), "", "", "", "", "", "", ""]]
    job = run_import(city.bob, ImportKind.RESIDENTS, "r.csv", csv_bytes(rows))
    assert job.status == ImportStatus.DONE


def test_an_id_number_excel_stored_as_a_number_is_explained(city: Any, run_import: RunImport) -> None:
    rows = [
        RESIDENT_HEADER,
        [city.grid_a1_1.code, "数字证号", float(id_number(7)), "", "", "", "", "", "", ""],
    ]

    job = run_import(city.bob, ImportKind.RESIDENTS, "r.xlsx", xlsx_bytes(rows))

    assert job.errors == [
        {
            "row": 2,
            "column": "身份证号",
            "reason": "身份证号在 Excel 中被存成了数字，后几位已丢失；请把该列设为文本格式后重新录入",
        }
    ]
