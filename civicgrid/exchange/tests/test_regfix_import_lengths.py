"""The organisation import refuses a 从业人数 beyond its column (a 32-bit integer) naming the
column, as the page and the API do (``registry.services.organisation_validate``)."""

from typing import Any

import pytest

from civicgrid.exchange.models import ImportKind, ImportStatus
from civicgrid.exchange.tests.conftest import RunImport
from civicgrid.exchange.tests.files import csv_bytes
from civicgrid.registry.models import Organisation

pytestmark = pytest.mark.django_db
HEADER = ["区域编码*", "单位名称*", "单位类型*", "地址", "从业人数"]


def test_too_many_employees_are_refused_naming_the_column(city: Any, run_import: RunImport) -> None:
    grid = city.grid_a1_1.code
    rows = [HEADER, [grid, "沙县小吃", "个体商户", "中山路1号", "99999999999"]]
    job = run_import(city.bob, ImportKind.ORGANISATIONS, "单位.csv", csv_bytes(rows))
    assert job.status == ImportStatus.FAILED
    assert job.errors == [{"row": 2, "column": "从业人数", "reason": "从业人数不能超过2147483647"}]
    assert not Organisation.objects.exists()
    rows = [HEADER, [grid, "沙县小吃", "个体商户", "中山路1号", "2147483647"]]
    assert (
        run_import(city.bob, ImportKind.ORGANISATIONS, "单位.csv", csv_bytes(rows)).status
        == ImportStatus.DONE
    )
