"""The catalogue's Excel export writes text as text, and its import page speaks Chinese about
the file (an outside Excel tester's report)."""

from io import BytesIO
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from civicgrid.core.errors import ValidationError
from civicgrid.requests import catalogue
from civicgrid.requests.models import CatalogueVersion
from civicgrid.requests.tests.test_catalogue import BASE, _edited, _upload, publish, row

pytestmark = pytest.mark.django_db

LOOKS_LIKE_FORMULAS = ["=报修", "+1", "-2", "@x"]
ROWS = [
    *BASE,
    *(row("住房管理", "公式样", f"分类{i}", keywords=k) for i, k in enumerate(LOOKS_LIKE_FORMULAS)),
]


def _keywords(data: bytes) -> dict[str, Any]:
    sheet = load_workbook(BytesIO(data))["派单目录"]
    header = [c.value for c in sheet[1]]
    name, keywords = header.index("三级分类"), header.index("关键词")
    cells = {r[name].value: r[keywords] for r in sheet.iter_rows(min_row=2)}
    return {n: (c.value, c.data_type) for n, c in cells.items() if str(n).startswith("分类")}


def test_text_that_looks_like_a_formula_is_exported_as_text_and_round_trips(city: Any) -> None:
    """Before: 关键词 "=报修" was written as a live formula without a result, and importing
    the system's own export failed "关键词列是公式但没有保存计算结果"."""
    v1 = publish(city.sysadmin, ROWS)
    data = catalogue.catalogue_xlsx(v1)
    expected = {f"分类{i}": (k, "s") for i, k in enumerate(LOOKS_LIKE_FORMULAS)}
    assert _keywords(data) == expected
    sheet = load_workbook(BytesIO(data))["派单目录"]
    assert all(c.data_type == "s" for r in sheet.iter_rows() for c in r if isinstance(c.value, str))
    read = {r["level3"]: r["keywords"] for r in catalogue.rows_from_xlsx(data)}
    assert [read[f"分类{i}"] for i in range(4)] == LOOKS_LIKE_FORMULAS
    with pytest.raises(catalogue.CatalogueUnchanged):  # its own export, unedited, reads back the same
        catalogue.catalogue_import(actor=city.sysadmin, data=data)
    v2 = catalogue.catalogue_import(actor=city.sysadmin, data=_edited(data, "O2", "电梯困人"), note="改")
    assert {r["level3"]: r["keywords"] for r in catalogue.catalogue_rows(v2)}["分类0"] == "=报修"
    assert _keywords(catalogue.catalogue_xlsx(v2)) == expected


def _refusal(client: Any, data: bytes, name: str = "catalogue.xlsx") -> str:
    upload = _upload(data)
    upload.name = name
    response = client.post(reverse("requests:catalogue_import"), {"file": upload})
    assert response.status_code == 422
    text = response.content.decode()
    return text[text.index('id="import-errors"') :].split("</ul>")[0]


def test_file_refusals_are_said_without_the_field_code(client: Any, city: Any, settings: Any) -> None:
    """Before: "file：文件不是有效的 Excel（.xlsx）文件", "file：文件超过5MB"."""
    publish(city.sysadmin, BASE)
    client.force_login(city.sysadmin)
    errors = _refusal(client, b"not a workbook at all")
    assert "<li>文件不是有效的 Excel（.xlsx）文件</li>" in errors and "file" not in errors
    errors = _refusal(client, b"x" * (catalogue.XLSX_MAX_BYTES + 1))
    assert "<li>文件超过5MB</li>" in errors and "file" not in errors
    assert CatalogueVersion.objects.count() == 1
    page = client.post(reverse("requests:catalogue_import"), {"file": _upload(b"nope")}).content.decode()
    assert 'aria-invalid="true" aria-describedby="import-errors"' in page


def test_an_old_xls_is_told_to_save_as_xlsx(client: Any, city: Any) -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504  # an Excel 97-2003 file's header
    with pytest.raises(ValidationError, match=r"不支持旧的 \.xls 格式，请另存为 \.xlsx"):
        catalogue.catalogue_import(actor=city.sysadmin, data=ole)
    client.force_login(city.sysadmin)
    errors = _refusal(client, ole, "目录.xls")
    assert "<li>不支持旧的 .xls 格式，请另存为 .xlsx</li>" in errors


def test_row_errors_keep_their_row(client: Any, city: Any) -> None:
    from civicgrid.requests.tests.test_catalogue import _xlsx

    client.force_login(city.sysadmin)
    errors = _refusal(client, _xlsx([["一级分类", "二级分类", "三级分类"], ["甲", "", "丙"]]))
    assert "<li>第2行" in errors
