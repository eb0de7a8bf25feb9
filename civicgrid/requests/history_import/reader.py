"""Reading a historical-requests file: .csv (UTF-8 or GBK) or .xlsx, header bound to column keys.

Rows are yielded lazily as ``(row number, cells)`` — the header is row 1, so the first
data row is row 2, as the user sees it in Excel — and wholly blank rows are skipped.
Cells are text: an .xlsx date-time becomes ``2025-03-01 08:15:00``, an integral number
``120`` and a boolean 是/否, so that every cell is checked by the same text rules.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePath
from typing import Any

from civicgrid.core.errors import ValidationError
from civicgrid.exchange.columns import normalise_header
from civicgrid.exchange.readers import decode_csv
from civicgrid.requests.history_import.columns import COLUMNS

EXTENSIONS = (".csv", ".xlsx")


@dataclass
class Sheet:
    """The bound header and the data rows of one file."""

    positions: dict[str, int] = field(default_factory=dict)  # column key -> index in a row
    blank: int = 0  # index of a cell that is always empty (for the columns the file lacks)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column header, reason)
    rows: Iterator[tuple[int, list[str]]] = field(default_factory=lambda: iter(()))


def extension(file_name: str) -> str:
    return PurePath(file_name).suffix.lower()


def xlsx_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime):
        return value.isoformat(" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="seconds")
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value).strip()


def _csv_lines(data: bytes) -> Iterator[list[str]]:
    text = decode_csv(data)
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as exc:
        raise ValidationError(f"CSV 文件格式错误：{exc}", field="file") from exc


def _xlsx_lines(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ValidationError(
            "Excel 文件无法打开，请确认是 .xlsx 格式（不支持旧的 .xls）", field="file"
        ) from exc
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()
        for values in sheet.iter_rows(values_only=True):
            yield [xlsx_cell(v) for v in values]
    finally:
        book.close()


def _bind(header: list[str], sheet: Sheet) -> None:
    wanted = {key: column for column in COLUMNS for key in column.header_keys()}
    seen: set[str] = set()
    for index, raw in enumerate(header):
        column = wanted.get(normalise_header(raw or ""))
        if column is None:
            continue
        if column.key in seen:
            sheet.problems.append((column.header, "该列出现了不止一次"))
            continue
        seen.add(column.key)
        sheet.positions[column.key] = index
    for column in COLUMNS:
        if column.required and column.key not in seen:
            sheet.problems.append((column.header, "缺少必填列，请使用导入模板"))


def _data_rows(lines: Iterator[list[str]], width: int) -> Iterator[tuple[int, list[str]]]:
    """Rows cut or padded to the header's width, plus one empty cell (``Sheet.blank``) at the end."""
    for number, cells in enumerate(lines, start=2):
        if len(cells) != width:
            cells = (cells + [""] * width)[:width]
        if any(cells):
            cells.append("")
            yield number, cells


def table_lines(file_name: str, data: bytes) -> Iterator[list[str]]:
    """Every line of a .csv (UTF-8, GBK…: ``decode_csv``) or of an .xlsx's first sheet, as
    text cells, read as iterated; also for the knowledge base and the classifier's files."""
    ext = extension(file_name)
    if ext not in EXTENSIONS:
        raise ValidationError("只能导入 .csv 或 .xlsx 文件", field="file")
    if not data:
        raise ValidationError("文件是空的", field="file")
    return _xlsx_lines(data) if ext == ".xlsx" else _csv_lines(data)


def table_records(file_name: str, data: bytes) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header (stripped) and the non-blank rows as ``(row number, {header: cell})``."""
    lines = table_lines(file_name, data)
    header = [h.strip() for h in next(lines, None) or []]
    if not any(header):
        raise ValidationError("文件是空的", field="file")
    rows = (
        (number, dict(zip(header, cells, strict=False)))
        for number, cells in enumerate(lines, start=2)
        if any(c.strip() for c in cells)
    )
    return header, rows


def read_sheet(file_name: str, data: bytes) -> Sheet:
    """Bind the header; the rows are read as they are iterated (``Sheet.rows``)."""
    lines = table_lines(file_name, data)
    header = next(lines, None)
    if header is None:
        raise ValidationError("文件是空的", field="file")
    sheet = Sheet()
    _bind(header, sheet)
    if not sheet.problems:
        sheet.blank = len(header)
        sheet.rows = _data_rows(lines, len(header))
    return sheet
