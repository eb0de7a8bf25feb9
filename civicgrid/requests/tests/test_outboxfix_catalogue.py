"""Catalogue import: a formula cell without a result (or a date cell) is reported with every
other row's problems in one round, not alone (before: only the formula row was named, and
the other rows' problems appeared after it was fixed). Downloads have Chinese names."""

import io
from datetime import datetime
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from civicgrid.core.errors import ValidationError
from civicgrid.requests import catalogue
from civicgrid.requests.models import CatalogueVersion
from civicgrid.requests.tests.test_catalogue import BASE, publish

pytestmark = pytest.mark.django_db

HEADER = ["一级分类", "二级分类", "三级分类", "分类编码", "响应级别", "需要回访"]
FORMULA = "「分类编码」列是公式但没有保存计算结果，请在 Excel/WPS 中打开后另存，或粘贴为数值"


def xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "派单目录"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def eight_bad_rows() -> bytes:
    return xlsx(
        [
            HEADER,
            ["公共服务", "供水", "停水", '="010101"', "", ""],  # row 2: the formula
            ["", "供水", "水压低", "", "", ""],  # 3: 一级分类 empty
            ["公共服务", "", "水质差", "", "", ""],  # 4: 二级分类 empty
            ["公共服务", "供水", "", "", "", ""],  # 5: 三级分类 empty
            ["公共服务", "供电", "停电", "12", "", ""],  # 6: bad code
            ["公共服务", "供电", "电压低", "", "五级", ""],  # 7: bad tier
            ["公共服务", "供电", "跳闸", "", "", "也许"],  # 8: bad flag
            ["公共服务", "供气", "a/b", "", "", ""],  # 9: slash in a name
        ]
    )


def test_a_formula_cell_is_reported_with_every_other_row_problem(city: Any) -> None:
    before = CatalogueVersion.objects.count()
    with pytest.raises(ValidationError) as info:
        catalogue.catalogue_import(actor=city.sysadmin, data=eight_bad_rows())
    errors = info.value.errors
    assert set(errors) == {f"第{n}行" for n in range(2, 10)}
    assert errors["第2行"] == [FORMULA]
    assert errors["第3行"] == ["「一级分类」不能为空"]
    assert errors["第7行"][0].startswith("「响应级别」只能是")
    assert "等共8处错误" not in info.value.message  # ten are listed before "等共…"
    assert f"第2行{FORMULA}" in info.value.message and "第9行「三级分类」不能包含“/”" in info.value.message
    assert CatalogueVersion.objects.count() == before


def test_a_formula_in_a_required_column_gets_no_second_reason(city: Any) -> None:
    data = xlsx([HEADER[:3], ["公共服务", "供水", "=A1&B1"], ["公共服务", "供电", "停电"]])
    with pytest.raises(ValidationError) as info:
        catalogue.catalogue_import(actor=city.sysadmin, data=data)
    assert info.value.errors == {
        "第2行": ["「三级分类」列是公式但没有保存计算结果，请在 Excel/WPS 中打开后另存，或粘贴为数值"]
    }


def test_a_date_cell_is_reported_with_the_other_rows_too(city: Any) -> None:
    data = xlsx([HEADER[:4], ["公共服务", "供水", datetime(2026, 3, 1), ""], ["", "供电", "停电", ""]])
    with pytest.raises(ValidationError) as info:
        catalogue.catalogue_import(actor=city.sysadmin, data=data)
    assert set(info.value.errors) == {"第2行", "第3行"}
    assert info.value.errors["第2行"][0].startswith("「三级分类」是日期或时间格式")
    assert info.value.errors["第3行"] == ["「一级分类」不能为空"]


def test_the_import_page_lists_all_rows_at_once(city: Any) -> None:
    client = Client()
    client.force_login(city.sysadmin)
    upload = io.BytesIO(eight_bad_rows())
    upload.name = "目录.xlsx"
    response = client.post(reverse("requests:catalogue_import"), {"file": upload, "note": "试导"})
    assert response.status_code == 422
    page = response.content.decode()
    for n in range(2, 10):
        assert f"第{n}行" in page
    assert "列是公式但没有保存计算结果" in page and "「一级分类」不能为空" in page
    assert 'value="试导"' in page


def _disposition(response: Any) -> str:
    return str(response["Content-Disposition"])


def test_catalogue_downloads_have_chinese_file_names(city: Any) -> None:
    version = publish(city.sysadmin, BASE)
    client = Client()
    client.force_login(city.sysadmin)
    export = client.get(reverse("requests:catalogue_export"))
    template = client.get(reverse("requests:catalogue_template"))
    assert export.status_code == template.status_code == 200
    name = f"派单目录_第{version.number}版.xlsx"
    assert _disposition(export) == f"attachment; filename*=utf-8''{quote(name)}"
    assert _disposition(template) == f"attachment; filename*=utf-8''{quote('导入模板_派单目录.xlsx')}"
