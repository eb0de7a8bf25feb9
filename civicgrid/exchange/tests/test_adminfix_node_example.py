"""The nodes template on a fresh installation (no community or street to put a grid under):
its example is the top of a tree (a district with no 上级编码), consistent on its own, not a
grid under the demo city's community 320213001001; it is still never imported."""

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from civicgrid.accounts.models import AdminRole
from civicgrid.conftest import make_user
from civicgrid.exchange.models import ImportKind, ImportStatus
from civicgrid.exchange.tests.conftest import RunImport
from civicgrid.exchange.tests.files import read_xlsx
from civicgrid.territory.models import Node

pytestmark = pytest.mark.django_db


def _template(client: Client, fmt: str = "xlsx") -> bytes:
    response = client.get(f"/exchange/templates/nodes.{fmt}")
    assert response.status_code == 200
    return response.content


@pytest.fixture
def sysadmin() -> Any:
    return make_user("sysadmin", "系统管理员", AdminRole.SYSTEM)


def test_the_fresh_example_names_no_parent_the_installation_lacks(client: Client, sysadmin: Any) -> None:
    client.force_login(sysadmin)
    rows = read_xlsx(_template(client))
    header = [str(h).rstrip("*") for h in rows[0]]
    example = dict(zip(header, rows[1], strict=False))
    assert not example.get("上级编码")  # a top-level row: nothing it refers to is missing
    assert example["层级"] == "区（县）" and example["名称"] == "示例区"
    assert "320213001001" not in _template(client, "csv").decode("utf-8-sig")


def test_the_fresh_example_is_skipped_and_a_real_row_below_it_imports(
    client: Client, sysadmin: Any, run_import: RunImport
) -> None:
    client.force_login(sysadmin)
    data = _template(client)
    job = run_import(sysadmin, ImportKind.NODES, "区域.xlsx", data)
    assert job.status == ImportStatus.FAILED and "第2行与模板中的示例相同" in job.message
    assert not Node.objects.exists()

    book = load_workbook(io.BytesIO(data))
    book.worksheets[0].append(["区（县）", "320213000000", "梁溪区"])
    out = io.BytesIO()
    book.save(out)
    job = run_import(sysadmin, ImportKind.NODES, "区域.xlsx", out.getvalue())
    assert job.status == ImportStatus.DONE, (job.message, job.errors)
    assert "第2行与模板中的示例相同，已跳过" in job.message
    assert list(Node.objects.values_list("name", flat=True)) == ["梁溪区"]
