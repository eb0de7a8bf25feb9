"""Files for the exchange tests, built in memory, and valid identifiers to put in them."""

import csv
import io
from datetime import date, timedelta
from typing import Any

from openpyxl import Workbook, load_workbook

from civicgrid.core.validators import id_check_digit

RESIDENT_HEADER = [
    "区域编码*",
    "姓名*",
    "身份证号",
    "联系电话",
    "性别",
    "出生日期",
    "人口类型",
    "户编码",
    "与户主关系",
    "标签",
]


def id_number(seq: int, born: date = date(1985, 6, 1), region: str = "320213") -> str:
    """A valid 18-digit ID number (correct check digit); ``seq`` keeps them apart."""
    first17 = f"{region}{(born + timedelta(days=seq // 1000)):%Y%m%d}{seq % 1000:03d}"
    return first17 + id_check_digit(first17)


def xlsx_bytes(rows: list[list[Any]], title: str = "数据") -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def read_xlsx(data: bytes, sheet: int = 0) -> list[tuple[Any, ...]]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return [tuple(row) for row in book.worksheets[sheet].iter_rows(values_only=True)]
    finally:
        book.close()
