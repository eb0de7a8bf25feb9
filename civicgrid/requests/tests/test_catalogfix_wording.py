"""Catalogue workbook wording: a workbook without the data sheet says so (not "未知列：派单目录
第1版"), and the 填写说明 sheet's tier line says what each tier means (its limits)."""

from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook

from civicgrid.core.errors import ValidationError
from civicgrid.requests import catalogue
from civicgrid.requests.tests.test_catalogue import BASE, publish

pytestmark = pytest.mark.django_db


def test_a_workbook_with_only_the_help_sheet_is_told_the_data_sheet_is_missing(city: Any) -> None:
    version = publish(city.sysadmin, BASE)
    book = load_workbook(BytesIO(catalogue.catalogue_xlsx(version)))
    book.remove(book["派单目录"])
    out = BytesIO()
    book.save(out)
    with pytest.raises(ValidationError) as raised:
        catalogue.catalogue_import(actor=city.sysadmin, data=out.getvalue())
    message = raised.value.message
    assert message.startswith("找不到派单目录工作表（应有列：一级分类、二级分类、三级分类")
    assert "未知列" not in message and "缺少列" not in message


def test_the_help_sheet_says_what_each_tier_means(city: Any) -> None:
    book = load_workbook(BytesIO(catalogue.catalogue_xlsx(None, template=True)))
    lines = {row[0]: row[1] for row in book["填写说明"].iter_rows(values_only=True)}
    tiers = lines["响应级别"]
    assert "一级=一级响应" not in tiers
    assert tiers.startswith("一级（响应") and "二级（响应" in tiers and "四级（响应" in tiers
    assert "时限列留空时按所选级别的上述时限" in tiers
