"""``civicgrid classifier predict``'s OUT.csv: UTF-8 with a BOM, rows numbered as the
spreadsheet shows them, no label for an empty text.

Outside tester: the file was UTF-8 without a BOM (garbled in Excel on Chinese Windows; the
product's own templates carry one), ``row`` counted non-blank rows from 0 (after a title or
blank row the predictions lined up with the wrong spreadsheet rows), and an empty text
still got a label.
"""

import codecs
import csv
from pathlib import Path

import pytest
from django.core.management import call_command

from civicgrid.classifier import engine, store

LABELS_OF = "label"


@pytest.fixture
def saved_model(model_dir: Path, small_bundle: engine.Bundle) -> set[str]:
    """The tests' small model saved as ``default``; its labels."""
    store.save(small_bundle, store.DEFAULT_NAME)
    return set(small_bundle.heads[LABELS_OF].labels)


def _predict(source: Path, out: Path, column: str = "text") -> list[list[str]]:
    call_command("classifier", "predict", "--csv", f"{source}:{column}", "--output", str(out))
    data = out.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    with out.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_csv_rows_are_numbered_as_the_spreadsheet_shows_and_an_empty_text_gets_no_label(
    saved_model: set[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "new.csv"
    source.write_text(
        "诉求导出表,\n"  # 1: a title row
        ",\n"  # 2: blank
        "编号,text\n"  # 3: the header
        "1,小区电梯坏了好几天没人修\n"  # 4
        "2,\n"  # 5: no text
        ",\n"  # 6: blank, left out
        '3,"路灯不亮\n晚上很黑"\n'  # 7: a cell of two lines is one spreadsheet row
        "4,楼下饭店油烟太大\n",  # 8
        encoding="utf-8",
    )
    rows = _predict(source, tmp_path / "out.csv")
    assert rows[0] == ["row", "label", "confidence"]
    assert [r[0] for r in rows[1:]] == ["4", "5", "7", "8"]
    assert rows[2] == ["5", "", ""]
    for row in (rows[1], rows[3], rows[4]):
        assert row[1] in saved_model and 0.0 < float(row[2]) <= 1.0
    said = capsys.readouterr().out
    assert "已预测 3 条" in said and "1 行的文本为空" in said


def test_xlsx_rows_are_numbered_as_the_sheet_shows(saved_model: set[str], tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet["A1"] = "2024年诉求"  # a title row
    sheet["A3"], sheet["B3"] = "编号", "内容"
    sheet["A4"], sheet["B4"] = 1, "噪音扰民影响休息"
    sheet["A5"], sheet["B5"] = 2, "   "
    sheet["A7"], sheet["B7"] = 3, "小区垃圾没人清运"
    source = tmp_path / "new.xlsx"
    book.save(source)
    rows = _predict(source, tmp_path / "out" / "pred.csv", column="内容")
    assert [r[0] for r in rows[1:]] == ["4", "5", "7"]
    assert rows[2][1:] == ["", ""]
    assert rows[1][1] in saved_model and rows[3][1] in saved_model
