"""A registered ID number under another name is refused (a wrong ID number, far more often
than a renaming), a missing column names the header of the file that looks like it, and
every problem of a file can be downloaded when the page lists only the first thousand."""

import io
from typing import Any, cast

import pytest
from django.test import Client
from openpyxl import load_workbook

from civicgrid.exchange.models import ImportKind, ImportStatus
from civicgrid.exchange.tests.conftest import RunImport
from civicgrid.exchange.tests.files import RESIDENT_HEADER, csv_bytes, id_number
from civicgrid.registry.models import Resident

pytestmark = pytest.mark.django_db


def test_a_registered_id_number_under_another_name_is_refused(city: Any, run_import: RunImport) -> None:
    grid = city.grid_a1_1.code
    first = [RESIDENT_HEADER, [grid, "张伟", id_number(1), "13812345678", "", "", "户籍人口", "", "", ""]]
    assert run_import(city.bob, ImportKind.RESIDENTS, "a.csv", csv_bytes(first)).status == ImportStatus.DONE
    rows = [
        RESIDENT_HEADER,
        [grid, "张 伟", id_number(1), "13700001111", "", "", "", "", "", ""],  # the same name, spaced
        [grid, "李强", id_number(1), "", "", "", "", "", "", ""],
    ]
    job = run_import(city.bob, ImportKind.RESIDENTS, "b.csv", csv_bytes(rows))
    assert job.status == ImportStatus.FAILED
    reasons = {(e["row"], e["column"]): e["reason"] for e in job.errors}
    assert reasons[(3, "姓名")].startswith("该身份证号已登记为「张伟」，与本行姓名不一致")
    assert Resident.objects.get().name == "张伟"


def test_a_missing_column_names_the_header_that_looks_like_it(city: Any, run_import: RunImport) -> None:
    grid = city.grid_a1_1.code
    rows = [["区域", "名字", "身份证", "电话"], [grid, "张伟", id_number(1), "13812345678"]]
    job = run_import(city.bob, ImportKind.RESIDENTS, "a.csv", csv_bytes(rows))
    assert job.status == ImportStatus.FAILED
    reasons = {e["column"]: e["reason"] for e in job.errors}
    assert reasons["区域编码"].endswith("文件中的「区域」是否就是这一列？请把表头改为「区域编码」")
    assert "姓名" not in reasons  # 名字 is one of its headers now
    rows = [["网格", "名字"], [grid, "张伟"]]
    job = run_import(city.bob, ImportKind.RESIDENTS, "a.csv", csv_bytes(rows))
    reasons = {e["column"]: e["reason"] for e in job.errors}
    assert reasons["区域编码"].endswith("文件中未识别的列：「网格」")


def test_every_problem_can_be_downloaded_when_the_page_lists_only_the_first(
    city: Any, run_import: RunImport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("civicgrid.exchange.services.MAX_STORED_ERRORS", 2)
    grid = city.grid_a1_1.code
    rows = [RESIDENT_HEADER, *[[grid, "", "", "", "", "", "", "", "", ""] for _ in range(3)]]
    job = run_import(city.bob, ImportKind.RESIDENTS, "a.csv", csv_bytes(rows))
    assert job.status == ImportStatus.FAILED and job.error_count == 3 and len(job.errors) == 2
    client = Client()
    client.force_login(city.bob)
    page = client.get(f"/exchange/imports/{job.pk}/").content.decode()
    assert f"/exchange/imports/{job.pk}/errors.xlsx" in page and "下载全部 3 处错误" in page
    response = client.get(f"/exchange/imports/{job.pk}/errors.xlsx")
    assert response.status_code == 200
    body = b"".join(cast(Any, response).streaming_content)
    sheet = list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    assert sheet[0] == ("行号", "列", "原因")
    assert [(r[0], r[1]) for r in sheet[1:]] == [(2, "姓名"), (3, "姓名"), (4, "姓名")]
    assert response["Content-Disposition"].endswith("_a.xlsx")  # the upload's name once, not a.csv.xlsx
    stranger = Client()
    stranger.force_login(city.carol)  # another subdistrict's importer
    assert stranger.get(f"/exchange/imports/{job.pk}/errors.xlsx").status_code == 404


def test_columns_the_import_does_not_read_are_said_and_手机_is_the_phone(
    city: Any, run_import: RunImport
) -> None:
    grid = city.grid_a1_1.code
    header = ["区域编码", "姓名", "身份证号", "手机", "住址备注"]
    rows = [header, [grid, "张伟", id_number(1), "13812345678", "3楼"]]
    job = run_import(city.bob, ImportKind.RESIDENTS, "a.csv", csv_bytes(rows))
    assert job.status == ImportStatus.DONE, job.errors
    assert "文件中的「住址备注」不是模板中的列，未导入" in job.message
    assert Resident.objects.get().phone_masked == "138****5678"


def test_a_sensitive_tag_the_file_does_not_name_stays(city: Any, run_import: RunImport) -> None:
    """An export by someone who may not see 低保户 leaves it out; that file imported back must
    not take it off (the cell's other tags still replace the stored ones)."""
    grid = city.grid_a1_1.code
    first = [RESIDENT_HEADER, [grid, "张伟", id_number(1), "", "", "", "户籍人口", "", "", "低保户、党员"]]
    assert run_import(city.bob, ImportKind.RESIDENTS, "a.csv", csv_bytes(first)).status == ImportStatus.DONE
    again = [RESIDENT_HEADER, [grid, "张伟", id_number(1), "", "", "", "", "", "", "志愿者"]]
    job = run_import(city.bob, ImportKind.RESIDENTS, "b.csv", csv_bytes(again))
    assert job.status == ImportStatus.DONE, job.errors
    assert sorted(t.name for t in Resident.objects.get().tags.all()) == ["低保户", "志愿者"]
