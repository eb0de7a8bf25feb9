"""Response tiers stopped naming hours (一级响应, not 一级（2小时）): a file filled in with the
old labels still imports, and the template's help sheet gives each tier's usual limits, which
a leaf left without limits takes."""

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from civicgrid.requests import catalogue
from civicgrid.requests.catalogue.excel import catalogue_xlsx
from civicgrid.requests.constants import ResponseTier
from civicgrid.requests.tests.test_date_cells_other_imports import xlsx

pytestmark = pytest.mark.django_db


def test_the_old_tier_labels_still_import(city: Any) -> None:
    data = xlsx(
        [
            ["一级分类", "二级分类", "三级分类", "响应级别"],
            ["公共服务", "供水", "停水", "一级（2小时）"],
            ["公共服务", "供水", "水压低", "三级（7个工作日）"],
            ["公共服务", "供电", "停电", "二级响应"],
        ]
    )

    version = catalogue.catalogue_import(actor=city.sysadmin, data=data)

    tiers = dict(version.categories.filter(level=3).values_list("name", "response_tier"))
    assert tiers == {"停水": ResponseTier.TIER_1, "水压低": ResponseTier.TIER_3, "停电": ResponseTier.TIER_2}


def test_the_help_sheet_gives_each_tier_s_usual_limits(city: Any) -> None:
    book = load_workbook(io.BytesIO(catalogue_xlsx(None, template=True)))
    text = "\n".join(str(c) for row in book["填写说明"].iter_rows(values_only=True) for c in row if c)
    assert "一级=一级响应" not in text  # the tier said by its limits
    assert "一级（响应0.5小时（自然时），办理2小时（自然时））" in text
    assert "三级（响应24小时（自然时），办理7工作日）" in text
