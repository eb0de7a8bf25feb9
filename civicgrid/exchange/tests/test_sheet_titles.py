"""Exports of lists named after user data (a grid, a campaign) whatever the name holds:
the sheet's name is one Excel accepts (``exports.sheet_title``) and the download's file
name one every system can save (``exports.download_name``)."""

from datetime import date
from io import BytesIO
from typing import Any
from urllib.parse import unquote

import pytest
from django.test import Client
from openpyxl import load_workbook

from civicgrid.exchange.exports import download_name, sheet_title, xlsx_response
from civicgrid.exchange.tests.files import read_xlsx
from civicgrid.territory import services as territory
from civicgrid.territory.models import Post

pytestmark = pytest.mark.django_db

ODD_NAME = "第1/2网格[测试]:*?"


def sheet_names(data: bytes) -> list[str]:
    book = load_workbook(BytesIO(data), read_only=True)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("区域_第1/2网格[测试]:*?", "区域_第1_2网格_测试____"),
        ("a\\b", "a_b"),
        ("'引号'", "引号"),
        ("", "工作表"),
        ("'", "工作表"),
        ("History", "History_"),
        ("专项任务_" + "长" * 40, "专项任务_" + "长" * 26),
        ("x" * 30 + "'y", "x" * 30),  # cut to 31, then no apostrophe at the end
    ],
)
def test_a_sheet_title_is_one_excel_accepts(text: str, title: str) -> None:
    assert sheet_title(text) == title
    assert len(sheet_title(text)) <= 31


def test_a_sheet_title_is_unique_in_its_workbook_ignoring_case() -> None:
    assert sheet_title("名单", taken=["名单"]) == "名单 (2)"
    assert sheet_title("List", taken=["list", "LIST (2)"]) == "List (3)"
    long = "长" * 31
    assert sheet_title(long, taken=[long]) == "长" * 27 + " (2)"


def test_a_download_name_holds_nothing_windows_refuses() -> None:
    assert download_name('区域_第1/2网格[测试]:*?"<>|\n.xlsx') == "区域_第1_2网格[测试]________.xlsx"


def test_the_territory_export_of_a_grid_with_slashes_and_brackets_in_its_name(
    client: Client, city: Any
) -> None:
    territory.node_update(actor=city.bob, node=city.grid_a1_1, name=ODD_NAME)
    client.force_login(city.bob)

    response = client.get(f"/exchange/exports/nodes/{city.grid_a1_1.pk}/")

    assert response.status_code == 200
    assert sheet_names(response.content) == ["区域_第1_2网格_测试____"]
    assert read_xlsx(response.content)[1][2] == ODD_NAME  # the cell keeps the name as it is
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert unquote(disposition.split("''", 1)[1]).startswith("区域_第1_2网格[测试]___")


def test_the_positions_export_of_such_a_grid(client: Client, city: Any) -> None:
    territory.node_update(actor=city.bob, node=city.grid_a1_1, name=ODD_NAME)
    territory.position_create(
        actor=city.bob,
        node=city.grid_a1_1,
        post=Post.GRID_LEADER,
        holder_name="王丽",
        start_date=date(2024, 1, 1),
    )
    client.force_login(city.bob)

    response = client.get(f"/exchange/exports/positions/{city.grid_a1_1.pk}/")

    assert response.status_code == 200
    assert sheet_names(response.content) == ["岗位_第1_2网格_测试____"]
    assert read_xlsx(response.content)[1][1:4] == (ODD_NAME, "网格长", "王丽")


def test_the_generic_helper_never_fails_on_a_list_name(city: Any) -> None:
    response = xlsx_response(actor=city.dave, list_name="'2026/3月:*'", headers=["甲"], rows=[(1,)])
    assert sheet_names(response.content) == ["2026_3月__"]
