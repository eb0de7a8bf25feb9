"""3-1 or 12-2 typed into a cell not formatted as text becomes a date cell in Excel and WPS
(shown 3月1日; the file keeps only the date). Outside a date column the historical-requests,
catalogue, saved-answers and classifier imports refuse it, naming its row and column, instead
of storing 2026-03-01; the time columns still take date cells."""

import io
from datetime import datetime, time
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from civicgrid.classifier import services
from civicgrid.core.errors import ValidationError
from civicgrid.exchange.importers.base import date_cell_reason
from civicgrid.requests import catalogue
from civicgrid.requests.history_import import COLUMNS, requests_history_import
from civicgrid.requests.history_import.columns import HEADERS
from civicgrid.requests.knowledge import rows_from_replies
from civicgrid.requests.models import CatalogueVersion, Request
from civicgrid.requests.tests.test_history_import import csv_file, good_rows

pytestmark = pytest.mark.django_db

MARCH_1 = datetime(2026, 3, 1)  # what Excel keeps of "3-1"
REPLY = "网友您好！公交卡可在建行网点充值。A市交通运输局"


def xlsx(rows: list[list[Any]]) -> bytes:
    """A workbook whose date cells are formatted as Excel formats a typed 3-1 (``m-d``)."""
    book = Workbook()
    sheet: Any = book.active
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, datetime):
                cell.number_format = "m-d"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def history_xlsx(rows: list[dict[str, Any]]) -> bytes:
    """The template's columns; every time as a real date-time cell."""
    keys = [c.key for c in COLUMNS]
    lines: list[list[Any]] = [[HEADERS[k] for k in keys]]
    for row in rows:
        line = []
        for key in keys:
            value = row.get(key, "")
            if key.endswith("_at") and isinstance(value, str) and value:
                value = datetime.fromisoformat(value)
            line.append(value if value != "" else None)
        lines.append(line)
    return xlsx(lines)


def history_import(actor: Any, data: bytes, name: str = "history.xlsx") -> Any:
    return requests_history_import(actor=actor, file_name=name, data=data)


# --- historical requests ---------------------------------------------------------------------


def test_history_xlsx_refuses_a_date_in_a_text_column_and_imports_nothing(hotline: Any) -> None:
    rows: list[dict[str, Any]] = [dict(r) for r in good_rows(hotline)]
    rows[0]["title"] = MARCH_1  # 标题 "3-1"
    rows[1]["number"] = MARCH_1  # 诉求编号 "3-1": "2026-03-01 00:00:00" would be a valid number
    rows[1]["address"] = datetime(2026, 12, 2)  # 地址 "12-2"
    rows[2]["content"] = time(3, 15)  # 诉求内容 "3:15", a time cell

    result = history_import(hotline.city.sysadmin, history_xlsx(rows))

    assert not result.ok and result.imported == 0 and result.rows == 4
    assert [(e.row, e.column, e.reason) for e in result.errors] == [
        (2, "标题", date_cell_reason("标题")),
        (3, "诉求编号", date_cell_reason("诉求编号")),
        (3, "地址", date_cell_reason("地址")),
        (4, "诉求内容", date_cell_reason("诉求内容")),
    ]
    assert result.errors[0].reason.startswith("标题是日期或时间格式（Excel 会把 3-1、3:15 这样的内容")
    assert not Request.objects.exists()


def test_history_xlsx_time_columns_still_take_date_cells(hotline: Any) -> None:
    rows: list[dict[str, Any]] = [dict(r) for r in good_rows(hotline)]
    rows[1]["rated_at"] = datetime.fromisoformat(rows[1]["rated_at"])  # every time column a date cell
    data = history_xlsx(rows)

    result = history_import(hotline.city.sysadmin, data)

    assert result.ok, result.errors
    assert result.imported == 4
    noise = Request.objects.get(number="LEGACY-0002")
    assert noise.title == "夜间施工噪声"
    assert noise.closed_at == datetime.fromisoformat(f"{rows[1]['closed_at']}+08:00")


def test_history_csv_keeps_3_1_as_typed(hotline: Any) -> None:
    rows = good_rows(hotline)
    rows[0]["title"] = "3-1"

    result = history_import(hotline.city.sysadmin, csv_file(rows), name="history.csv")

    assert result.ok, result.errors
    assert Request.objects.get(number=rows[0]["number"]).title == "3-1"


# --- the catalogue ---------------------------------------------------------------------------


def test_catalogue_xlsx_refuses_a_date_cell_naming_row_and_column(city: Any) -> None:
    before = CatalogueVersion.objects.count()
    data = xlsx(
        [
            ["一级分类", "二级分类", "三级分类", "分类编码", "关键词"],
            ["公共服务", "供水", "停水", "010101", "停水 没水"],
            ["公共服务", "供水", MARCH_1, "", ""],  # 三级分类 "3-1"
            ["公共服务", "供电", "停电", datetime(2026, 1, 2), "停电"],  # 分类编码 "1-2"
        ]
    )

    with pytest.raises(ValidationError) as caught:
        catalogue.catalogue_import(actor=city.sysadmin, data=data)

    message = str(caught.value)
    assert message.startswith("派单目录有误，未发布：")
    assert "第3行「三级分类」是日期或时间格式（Excel 会把 3-1、3:15 这样的内容自动转成日期或时间）" in message
    assert "第4行「分类编码」是日期或时间格式" in message
    assert "2026" not in message
    assert CatalogueVersion.objects.count() == before


def test_catalogue_xlsx_without_date_cells_still_imports(city: Any) -> None:
    data = xlsx([["一级分类", "二级分类", "三级分类"], ["公共服务", "供水", "3-1号楼停水"]])

    version = catalogue.catalogue_import(actor=city.sysadmin, data=data)

    assert version.categories.filter(level=3, name="3-1号楼停水").exists()


# --- saved answers and the classifier's files (through history_import.reader) ----------------


def test_saved_answers_xlsx_refuses_a_date_subject_and_reads_date_reply_times(tmp_path: Path) -> None:
    good = tmp_path / "答复.xlsx"
    good.write_bytes(
        xlsx([["编号", "标题", "答复内容", "答复时间"], ["1", "公交卡充值", REPLY, datetime(2019, 3, 5)]])
    )
    [row] = list(rows_from_replies(good))
    assert row.title == "公交卡充值" and row.issued_on == datetime(2019, 3, 5).date()

    bad = tmp_path / "答复2.xlsx"
    bad.write_bytes(
        xlsx(
            [
                ["编号", "标题", "答复内容", "答复时间"],
                ["1", "公交卡充值", REPLY, datetime(2019, 3, 5)],
                ["2", MARCH_1, REPLY, datetime(2019, 3, 5)],
            ]
        )
    )
    with pytest.raises(ValidationError) as caught:
        list(rows_from_replies(bad))
    assert str(caught.value) == "第3行：" + date_cell_reason("标题")


def test_classifier_file_refuses_a_date_label(tmp_path: Path) -> None:
    path = tmp_path / "样本.xlsx"
    path.write_bytes(
        xlsx([["文本", "分类"], ["楼上装修噪音太大", "噪音"], ["3号楼停水", datetime(2026, 12, 2)]])
    )

    with pytest.raises(ValidationError) as caught:
        services.read_csv(services.CsvSpec(path, "文本", "分类"))

    assert str(caught.value) == "样本.xlsx 第3行：" + date_cell_reason("分类")
    assert services.read_csv(services.CsvSpec(path, "文本")) == (["楼上装修噪音太大", "3号楼停水"], ["", ""])
