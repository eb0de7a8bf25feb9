"""A registered ID number under another name is refused (a wrong ID number, far more often
than a renaming), and a missing column names the header of the file that looks like it."""

from typing import Any

import pytest

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
