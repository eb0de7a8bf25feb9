"""Historical requests, the knowledge base's and the catalogue's .xlsx files read the data
sheet as every import does (``exchange.workbook``): hidden and cover sheets passed over,
formulas without a saved result named, merged cells filled; a category code typed as a
number keeps its leading zero."""

import io
from datetime import datetime
from typing import Any

import pytest
from openpyxl import Workbook

from civicgrid.core.errors import ValidationError
from civicgrid.requests import catalogue
from civicgrid.requests.history_import import COLUMNS, requests_history_import
from civicgrid.requests.history_import.columns import HEADERS
from civicgrid.requests.history_import.reader import table_records
from civicgrid.requests.models import CatalogueVersion, Request
from civicgrid.requests.tests.test_history_import import good_rows

pytestmark = pytest.mark.django_db

KEYS = [c.key for c in COLUMNS]


def history_rows(hotline: Any) -> list[list[Any]]:
    rows: list[list[Any]] = [[HEADERS[k] for k in KEYS]]
    for row in good_rows(hotline):
        rows.append(
            [
                datetime.fromisoformat(v) if k.endswith("_at") and v else v or None
                for k, v in ((k, row.get(k, "")) for k in KEYS)
            ]
        )
    return rows


def workbook(sheets: dict[str, list[list[Any]]], hidden: tuple[str, ...] = ()) -> bytes:
    book = Workbook()
    book.remove(book.worksheets[0])
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title in hidden:
            sheet.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_history_reads_the_visible_data_sheet_past_a_cover_and_a_hidden_sheet(hotline: Any) -> None:
    rows = history_rows(hotline)
    old = [rows[0], [*rows[1][:1], *rows[1][1:]]]
    old[1][0] = "OLD-0001"  # a number the import must never see
    data = workbook(
        {"封面": [["历史诉求"], ["导出日期", "2025-01-01"]], "旧数据": old, "诉求": rows}, hidden=("旧数据",)
    )

    result = requests_history_import(actor=hotline.city.sysadmin, file_name="h.xlsx", data=data)

    assert result.ok, result.errors
    assert set(Request.objects.values_list("number", flat=True)) == {r["number"] for r in good_rows(hotline)}


def test_history_refuses_two_sheets_holding_data(hotline: Any) -> None:
    rows = history_rows(hotline)
    data = workbook({"一月": rows[:3], "二月": [rows[0], *rows[3:]]})

    with pytest.raises(ValidationError) as info:
        requests_history_import(actor=hotline.city.sysadmin, file_name="h.xlsx", data=data)

    assert "“一月”、“二月”" in info.value.message
    assert not Request.objects.exists()


def test_history_category_code_typed_as_a_number_keeps_its_leading_zero(hotline: Any) -> None:
    rows = history_rows(hotline)
    code = KEYS.index("category_code")
    assert rows[1][code] == "010101"
    rows[1][code] = 10101  # a number cell: Excel shows 10101

    result = requests_history_import(
        actor=hotline.city.sysadmin, file_name="h.xlsx", data=workbook({"诉求": rows})
    )

    assert result.ok, result.errors
    assert Request.objects.get(number=good_rows(hotline)[0]["number"]).category == hotline.lift


def test_history_formula_without_a_result_names_its_row_and_column(hotline: Any) -> None:
    rows = history_rows(hotline)
    rows[2][KEYS.index("title")] = '=CONCAT("夜间","施工")'

    with pytest.raises(ValidationError) as info:
        requests_history_import(
            actor=hotline.city.sysadmin, file_name="h.xlsx", data=workbook({"诉求": rows})
        )

    assert info.value.message == (
        f"第3行 {HEADERS['title']}列是公式但没有保存计算结果，请在 Excel/WPS 中打开后另存，或粘贴为数值"
    )
    assert not Request.objects.exists()


def test_history_merged_cells_below_the_header_read_as_their_top_left_cell(hotline: Any) -> None:
    rows = history_rows(hotline)
    channel = KEYS.index("channel")
    assert rows[3][channel] == "来访" and rows[4][channel] == "网格员上报"
    rows[4][channel] = None  # LEGACY-0004 (row 5), under LEGACY-0003's 来访 merged over rows 4-5
    book = Workbook()
    sheet: Any = book.active
    for row in rows:
        sheet.append(row)
    letter = sheet.cell(row=1, column=channel + 1).column_letter
    sheet.merge_cells(f"{letter}4:{letter}5")
    out = io.BytesIO()
    book.save(out)

    result = requests_history_import(actor=hotline.city.sysadmin, file_name="h.xlsx", data=out.getvalue())

    assert result.ok, result.errors
    assert (
        Request.objects.get(number="LEGACY-0004").channel == Request.objects.get(number="LEGACY-0003").channel
    )


def test_knowledge_files_read_the_visible_sheet_naming_the_known_columns() -> None:
    data = workbook(
        {
            "旧": [["问题", "答复"], ["旧问", "旧答"]],
            "封面": [["常见问题"]],
            "问答": [["问题", "答复"], ["新问", "新答"]],
        },
        hidden=("旧",),
    )

    header, records = table_records("faq.xlsx", data, known=("问题", "答复"))

    assert header == ["问题", "答复"]
    assert list(records) == [(2, {"问题": "新问", "答复": "新答"})]


def test_catalogue_formula_without_a_result_is_refused_naming_row_and_column(city: Any) -> None:
    data = workbook(
        {
            "派单目录": [
                ["一级分类", "二级分类", "三级分类", "分类编码"],
                ["公共服务", "供水", "停水", '="010101"'],
            ]
        }
    )
    before = CatalogueVersion.objects.count()

    with pytest.raises(ValidationError) as info:
        catalogue.catalogue_import(actor=city.sysadmin, data=data)

    assert info.value.errors["第2行"] == [
        "「分类编码」列是公式但没有保存计算结果，请在 Excel/WPS 中打开后另存，或粘贴为数值"
    ]
    assert CatalogueVersion.objects.count() == before


def test_catalogue_import_passes_over_a_hidden_sheet(city: Any) -> None:
    header = ["一级分类", "二级分类", "三级分类"]
    data = workbook(
        {"旧目录": [header, ["旧类", "旧类", "旧类"]], "目录": [header, ["公共服务", "供水", "停水"]]},
        hidden=("旧目录",),
    )

    version = catalogue.catalogue_import(actor=city.sysadmin, data=data)

    assert [row["level3"] for row in catalogue.catalogue_rows(version)] == ["停水"]
