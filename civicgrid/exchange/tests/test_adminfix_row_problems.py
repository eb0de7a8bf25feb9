"""A node row with an empty 名称, 经度 "abc" and a date cell in 地址 reports all three at once
(before, only the date: the others showed after a second upload). The date cell itself gets
no second problem; a row the reader refused (a NUL) is still reported for that alone."""

from typing import Any

import pytest

from civicgrid.exchange.models import ImportKind, ImportStatus
from civicgrid.exchange.tests.conftest import RunImport
from civicgrid.exchange.tests.test_date_in_text_cells import (
    FIVE_SIX,
    NODE_HEADER,
    THREE_ONE,
    excel_file,
    reason,
)
from civicgrid.territory.models import Node

pytestmark = pytest.mark.django_db


def test_every_problem_of_a_row_with_a_date_cell_is_reported(city: Any, run_import: RunImport) -> None:
    before = Node.objects.count()
    rows = [NODE_HEADER, ["网格", "", "", city.comm_a1.code, "", "abc", "31.5", FIVE_SIX]]

    job = run_import(city.sysadmin, ImportKind.NODES, "区域.xlsx", excel_file(rows))

    assert job.status == ImportStatus.FAILED
    columns = [e["column"] for e in job.errors]
    assert columns.count("地址") == 1 and {"row": 2, "column": "地址", "reason": reason("地址")} in job.errors
    assert "名称" in columns  # 名称不能为空
    assert "经度" in columns  # not a number
    assert Node.objects.count() == before


def test_a_date_in_a_required_column_is_one_problem_not_two(city: Any, run_import: RunImport) -> None:
    rows = [NODE_HEADER, ["单元", "", THREE_ONE, city.building_a1.code, "", "", "", ""]]

    job = run_import(city.sysadmin, ImportKind.NODES, "区域.xlsx", excel_file(rows))

    assert job.errors == [{"row": 2, "column": "名称", "reason": reason("名称")}]
