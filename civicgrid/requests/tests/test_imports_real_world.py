"""Saved answers and the catalogue from real-world files: a title row above the header,
UTF-16 text, dates as Excel writes them, full-width codes and invisible characters."""

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from civicgrid.core.errors import ValidationError
from civicgrid.requests import catalogue
from civicgrid.requests.knowledge import rows_from_replies
from civicgrid.requests.models import Category

pytestmark = pytest.mark.django_db

REPLY = "网友您好！公交卡可在建行网点充值。A市交通运输局"


def unicode_text(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-16")


def xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet: Any = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_saved_answers_from_a_titled_utf16_file_with_dates_as_excel_writes_them(tmp_path: Path) -> None:
    path = tmp_path / "答复.txt"
    path.write_bytes(
        unicode_text(
            [
                ["2019年市长信箱答复汇总"],
                [],
                ["编号", "标题", "答复内容", "答复时间"],
                ["1", "公交卡充值", REPLY, "2019年3月5日"],
                ["2", "医保备案", REPLY, "2019.03.05 10:11"],
                ["3", "路灯不亮", REPLY, "43529"],  # a CSV of a date column in General format
                ["", "无编号", REPLY, "２０１９－０３－０５"],
            ]
        )
    )

    rows = list(rows_from_replies(path))

    assert [(r.source_ref, r.title) for r in rows] == [
        ("答复.txt:1", "公交卡充值"),
        ("答复.txt:2", "医保备案"),
        ("答复.txt:3", "路灯不亮"),
        ("答复.txt:7", "无编号"),  # the row number Excel shows
    ]
    assert {r.issued_on for r in rows} == {date(2019, 3, 5)}


def test_a_catalogue_sheet_with_a_title_row_and_full_width_codes(city: Any) -> None:
    data = xlsx(
        [
            ["梁溪区派单目录（2025版）"],
            ["一级分类", "二级分类", "三级分类", "分类编码", "响应时限"],
            ["公共服务\u200b", "供水", "停水", "０１０１０１", "２"],
            ["公共服务", "供水", " 水压低\u00a0", "", ""],
        ]
    )

    version = catalogue.catalogue_import(actor=city.sysadmin, data=data)

    leaves = dict(Category.objects.filter(version=version, level=3).values_list("name", "code"))
    assert leaves == {"停水": "010101", "水压低": "010102"}
    assert Category.objects.get(version=version, level=1).name == "公共服务"


def test_catalogue_problems_name_the_rows_excel_shows(city: Any) -> None:
    data = xlsx(
        [
            ["派单目录"],
            [],
            ["一级分类", "二级分类", "三级分类", "响应级别"],
            ["公共服务", "供水", "停水", "一级"],
            ["公共服务", "供水", "停电", "特急"],
        ]
    )

    with pytest.raises(ValidationError) as info:
        catalogue.catalogue_import(actor=city.sysadmin, data=data)

    assert list(info.value.errors) == ["第5行"]
