"""Which sheet of a workbook is read, merged cells and formulas without a saved result
(``exchange.workbook``), through the residents and party imports."""

import io
from typing import Any

import pytest
from openpyxl import Workbook

from civicgrid.exchange.models import ImportJob, ImportKind, ImportStatus
from civicgrid.exchange.tests.conftest import RunImport
from civicgrid.exchange.tests.files import RESIDENT_HEADER
from civicgrid.registry.models import Resident

pytestmark = pytest.mark.django_db


def workbook(sheets: dict[str, list[list[Any]]], hidden: tuple[str, ...] = (), active: str = "") -> bytes:
    book = Workbook()
    book.remove(book.worksheets[0])
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title in hidden:
            sheet.sheet_state = "hidden"
    if active:
        book.active = book.sheetnames.index(active)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def names() -> list[str]:
    return sorted(Resident.objects.values_list("name", flat=True))


def test_a_hidden_sheet_is_never_imported(city: Any, run_import: RunImport) -> None:
    data = workbook(
        {
            "旧数据": [RESIDENT_HEADER, [city.grid_a1_1.code, "旧居民"]],
            "实有人口": [RESIDENT_HEADER, [city.grid_a1_1.code, "新居民"]],
        },
        hidden=("旧数据",),
        active="实有人口",
    )

    job = run_import(city.bob, ImportKind.RESIDENTS, "实有人口.xlsx", data)

    assert job.status == ImportStatus.DONE, (job.message, job.errors)
    assert names() == ["新居民"]


def test_without_a_visible_data_sheet_the_problem_says_hidden_sheets_are_not_read(
    city: Any, run_import: RunImport
) -> None:
    data = workbook(
        {"旧数据": [RESIDENT_HEADER, [city.grid_a1_1.code, "旧居民"]], "说明": [["请填写"]]},
        hidden=("旧数据",),
    )

    job = run_import(city.bob, ImportKind.RESIDENTS, "实有人口.xlsx", data)

    assert job.status == ImportStatus.FAILED
    assert {e["reason"] for e in job.errors} == {
        "缺少必填列，请使用下载的模板（共2个工作表，读取的是第2个“说明”；隐藏的工作表不读取）"
    }
    assert not Resident.objects.exists()


def test_two_data_sheets_are_refused_naming_both(city: Any, run_import: RunImport) -> None:
    data = workbook(
        {
            "第一网格": [RESIDENT_HEADER, [city.grid_a1_1.code, "张一"]],
            "第二网格": [RESIDENT_HEADER, [city.grid_a1_2.code, "张二"]],
        }
    )

    job = run_import(city.bob, ImportKind.RESIDENTS, "实有人口.xlsx", data)

    assert job.status == ImportStatus.FAILED
    assert job.message == (
        "文件中有2个工作表都填有数据：“第一网格”、“第二网格”。一次只能导入一个工作表，"
        "请把数据合并到一个工作表，或分成多个文件上传"
    )
    assert not Resident.objects.exists()


def test_an_empty_copy_of_the_template_beside_the_data_sheet_is_passed_over(
    city: Any, run_import: RunImport
) -> None:
    data = workbook({"模板": [RESIDENT_HEADER], "第二网格": [RESIDENT_HEADER, [city.grid_a1_2.code, "张二"]]})

    job = run_import(city.bob, ImportKind.RESIDENTS, "实有人口.xlsx", data)

    assert job.status == ImportStatus.DONE, (job.message, job.errors)
    assert names() == ["张二"]


def test_a_merged_area_code_reads_in_every_row_it_covers(city: Any, run_import: RunImport) -> None:
    book = Workbook()
    sheet: Any = book.active
    sheet.append(["胜利门社区实有人口登记表"])
    sheet.merge_cells("A1:D1")  # a title above the header: not data
    sheet.append(RESIDENT_HEADER)
    sheet.append([city.grid_a1_1.code, "王一"])
    sheet.append([city.grid_a1_2.code, "王二"])
    sheet.append([None, "王三"])
    sheet.merge_cells("A4:A5")
    out = io.BytesIO()
    book.save(out)

    job = run_import(city.bob, ImportKind.RESIDENTS, "实有人口.xlsx", out.getvalue())

    assert job.status == ImportStatus.DONE, (job.message, job.errors)
    homes = dict(Resident.objects.values_list("name", "node__code"))
    assert homes == {"王一": city.grid_a1_1.code, "王二": city.grid_a1_2.code, "王三": city.grid_a1_2.code}


def formula_book(city: Any) -> bytes:
    """Written by a program that saves no calculated results (openpyxl is one)."""
    book = Workbook()
    sheet: Any = book.active
    sheet.append([*RESIDENT_HEADER, "名"])
    sheet.append([city.grid_a1_1.code, "李四", None, None, None, None, None, None, None, None, "李四"])
    sheet.append(
        [city.grid_a1_1.code, "=K3", None, None, None, None, '="流动人口"', None, None, None, "王五"]
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_formula_without_a_saved_result_is_named_not_read_as_empty(
    city: Any, run_import: RunImport
) -> None:
    job = run_import(city.bob, ImportKind.RESIDENTS, "实有人口.xlsx", formula_book(city))

    assert job.status == ImportStatus.FAILED
    hint = "是公式但没有保存计算结果，请在 Excel/WPS 中打开后另存，或粘贴为数值"
    assert [(e["row"], e["column"], e["reason"]) for e in job.errors] == [
        (3, "姓名", f"姓名列{hint}"),
        (3, "人口类型", f"人口类型列{hint}"),
    ]
    assert not Resident.objects.exists()
    assert ImportJob.objects.get(pk=job.pk).error_count == 2

    # The same file as Excel/WPS saves it, each result beside its formula, imports them.
    data = _with_cached_value(formula_book(city), "B3", "王五")
    data = _with_cached_value(data, "G3", "流动人口")

    job = run_import(city.bob, ImportKind.RESIDENTS, "实有人口.xlsx", data)

    assert job.status == ImportStatus.DONE, (job.message, job.errors)
    assert names() == ["李四", "王五"]


def _with_cached_value(data: bytes, ref: str, value: str) -> bytes:
    """The workbook with ``ref``'s formula given a saved (string) result, as Excel writes it."""
    import re
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                text = re.sub(
                    rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/?>(?:</v>)?</c>',
                    lambda m: f'<c r="{ref}"{m.group(1)} t="str"><f>{m.group(2)}</f><v>{value}</v></c>',
                    text,
                )
                assert f"<v>{value}</v>" in text
                content = text.encode()
            target.writestr(item, content)
    return out.getvalue()
