"""Templates: downloadable from the page; their example row is never imported."""

import io
from collections.abc import Callable
from typing import Any

import pytest
import shapely
from django.test import Client
from openpyxl import load_workbook
from shapely.geometry import shape

from civicgrid.core.models import AuditLog
from civicgrid.exchange.columns import COLUMNS
from civicgrid.exchange.models import ImportKind, ImportStatus
from civicgrid.exchange.tests.conftest import RunImport
from civicgrid.exchange.tests.files import read_xlsx
from civicgrid.registry.models import Dwelling, Household, Organisation, Resident
from civicgrid.territory.models import GeometryVersion, Node, Position

pytestmark = pytest.mark.django_db

CREATED: dict[str, Callable[[], int]] = {
    ImportKind.NODES: lambda: Node.objects.filter(name="示例网格").count(),
    ImportKind.POSITIONS: lambda: Position.objects.count(),
    ImportKind.RESIDENTS: lambda: Resident.objects.count(),
    ImportKind.DWELLINGS: lambda: Dwelling.objects.count(),
    ImportKind.ORGANISATIONS: lambda: Organisation.objects.count(),
}


def download(client: Client, kind: str, fmt: str) -> bytes:
    response = client.get(f"/exchange/templates/{kind}.{fmt}")
    assert response.status_code == 200, response.content
    assert "attachment" in response["Content-Disposition"]
    return response.content


@pytest.mark.parametrize("kind", list(CREATED))
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_template_uploaded_unchanged_imports_nothing_and_says_why(
    client: Client, city: Any, run_import: RunImport, kind: str, fmt: str
) -> None:
    client.force_login(city.bob)
    data = download(client, kind, fmt)

    job = run_import(city.bob, kind, f"模板.{fmt}", data)

    assert job.status == ImportStatus.FAILED
    assert "第2行与模板中的示例相同" in job.message and "没有其他数据行" in job.message
    assert CREATED[kind]() == 0
    assert not Household.objects.exists()


def _with_rows(data: bytes, fmt: str, rows: list[list[Any]]) -> bytes:
    if fmt == "csv":
        text = data.decode("utf-8-sig")
        return (text + "".join(",".join(r) + "\r\n" for r in rows)).encode("utf-8-sig")
    book = load_workbook(io.BytesIO(data))
    for row in rows:
        book.worksheets[0].append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_rows_below_the_example_import_and_the_example_is_skipped(
    client: Client, city: Any, run_import: RunImport, fmt: str
) -> None:
    client.force_login(city.bob)
    data = _with_rows(download(client, ImportKind.RESIDENTS, fmt), fmt, [[city.grid_a1_1.code, "李四"]])

    job = run_import(city.bob, ImportKind.RESIDENTS, f"居民.{fmt}", data)

    assert job.status == ImportStatus.DONE, (job.message, job.errors)
    assert "第2行与模板中的示例相同，已跳过" in job.message
    assert list(Resident.objects.values_list("name", flat=True)) == ["李四"]
    assert not Household.objects.exists()
    audit = AuditLog.objects.get(verb="exchange.import_completed")
    assert audit.after is not None and audit.after["skipped_example_rows"] == [2]


def test_the_example_changed_into_real_data_imports(client: Client, city: Any, run_import: RunImport) -> None:
    client.force_login(city.bob)
    book = load_workbook(io.BytesIO(download(client, ImportKind.DWELLINGS, "xlsx")))
    book.worksheets[0]["E2"] = "王五"  # the owner
    out = io.BytesIO()
    book.save(out)

    job = run_import(city.bob, ImportKind.DWELLINGS, "房屋.xlsx", out.getvalue())

    assert job.status == ImportStatus.DONE, (job.message, job.errors)
    assert "跳过" not in job.message
    assert Dwelling.objects.get().owner_name == "王五"


def test_the_xlsx_template_has_headers_an_example_notes_and_drop_downs(client: Client, city: Any) -> None:
    client.force_login(city.bob)
    data = download(client, ImportKind.RESIDENTS, "xlsx")

    rows = read_xlsx(data)
    assert [str(h).rstrip("*") for h in rows[0]] == [c.header for c in COLUMNS[ImportKind.RESIDENTS]]
    assert rows[0][0] == "区域编码*" and rows[1][0] == city.grid_a1_1.code
    assert len(rows) == 2
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[1] == "说明"
    notes = [r[0] for r in book["说明"].iter_rows(values_only=True)]
    assert "身份证号" in notes and "人口类型" in notes
    validations = book.worksheets[0].data_validations.dataValidation
    formulas = {v.formula1 for v in validations}
    assert '"户籍人口,流动人口"' in formulas and '"男,女,未知"' in formulas


def test_the_csv_template_has_a_bom_for_excel(client: Client, city: Any) -> None:
    client.force_login(city.bob)
    data = download(client, ImportKind.DWELLINGS, "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[0] == "区域编码*,房号*,使用情况*,面积（㎡）,产权人,房屋编码"


def test_the_geojson_example_sets_the_grid_polygon(client: Client, city: Any, run_import: RunImport) -> None:
    client.force_login(city.bob)
    data = download(client, ImportKind.GEOMETRY, "geojson")
    version = GeometryVersion.objects.get(pk=1).version

    job = run_import(city.bob, ImportKind.GEOMETRY, "grids.geojson", data)

    assert job.status == ImportStatus.DONE, job.errors
    assert GeometryVersion.objects.get(pk=1).version == version + 1


def test_unknown_template_formats_are_not_found(client: Client, city: Any) -> None:
    client.force_login(city.bob)
    assert client.get("/exchange/templates/residents.geojson").status_code == 404
    assert client.get("/exchange/templates/nothing.xlsx").status_code == 404
    client.force_login(city.alice)
    assert client.get("/exchange/templates/residents.xlsx").status_code == 403


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_nodes_example_renamed_imports_its_point_lies_in_the_community(
    client: Client, city: Any, run_import: RunImport, fmt: str
) -> None:
    far = [[120.50, 31.70], [120.52, 31.70], [120.52, 31.72], [120.50, 31.72], [120.50, 31.70]]
    Node.objects.filter(kind="community").update(geometry={"type": "Polygon", "coordinates": [far]})
    client.force_login(city.bob)
    data = download(client, ImportKind.NODES, fmt)
    if fmt == "csv":
        data = data.decode("utf-8-sig").replace("示例网格", "新建网格").encode("utf-8-sig")
    else:
        book = load_workbook(io.BytesIO(data))
        sheet = book.worksheets[0]
        for cell in sheet[2]:
            if cell.value == "示例网格":
                cell.value = "新建网格"
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()

    job = run_import(city.bob, ImportKind.NODES, f"网格.{fmt}", data)

    assert job.status == ImportStatus.DONE, (job.message, job.errors)
    grid = Node.objects.get(name="新建网格")
    assert grid.parent is not None and grid.parent.geometry is not None
    assert grid.lon is not None and grid.lat is not None
    assert shapely.intersects_xy(shape(grid.parent.geometry), grid.lon, grid.lat)
