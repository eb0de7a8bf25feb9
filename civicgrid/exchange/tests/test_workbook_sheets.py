"""A workbook whose first sheet is a cover or notes: the data sheet is found by its headers,
and when no sheet has them the problem says which sheet was read."""

import io
from typing import Any

import pytest
from openpyxl import Workbook

from civicgrid.exchange.models import ImportKind, ImportStatus
from civicgrid.exchange.tests.conftest import RunImport
from civicgrid.exchange.tests.files import RESIDENT_HEADER
from civicgrid.registry.models import Resident

pytestmark = pytest.mark.django_db


def workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = Workbook()
    book.remove(book.worksheets[0])
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


COVER = [["胜利门社区实有人口登记表"], ["填报单位：胜利门社区居委会", "日期：2024-05-01"]]


def test_the_data_sheet_after_a_cover_sheet_is_found_by_its_headers(city: Any, run_import: RunImport) -> None:
    rows = [RESIDENT_HEADER, [city.grid_a1_1.code, "李四"]]
    data = workbook({"封面": COVER, "居民": rows})

    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.xlsx", data)

    assert job.status == ImportStatus.DONE, (job.message, job.errors)
    assert list(Resident.objects.values_list("name", flat=True)) == ["李四"]


def test_without_a_data_sheet_the_problem_names_the_sheet_read(city: Any, run_import: RunImport) -> None:
    data = workbook({"封面": COVER, "其他": [["说明"], ["无"]]})

    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.xlsx", data)

    assert job.status == ImportStatus.FAILED
    reasons = {e["reason"] for e in job.errors}
    assert reasons == {"缺少必填列，请使用下载的模板（共2个工作表，读取的是第1个“封面”）"}
    assert not Resident.objects.exists()


def test_a_workbook_of_one_sheet_reads_as_before(city: Any, run_import: RunImport) -> None:
    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.xlsx", workbook({"数据": COVER}))

    assert job.status == ImportStatus.FAILED
    assert {e["reason"] for e in job.errors} == {"缺少必填列，请使用下载的模板"}
