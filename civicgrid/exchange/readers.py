"""Reading uploaded files into numbered rows: .xlsx, .csv (UTF-8 or GBK) and .geojson.

Row numbers are those the user sees: the header is row 1 of the sheet, so the first data
row is row 2; a GeoJSON feature is numbered from 1 in the order of the file.
"""

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from openpyxl import load_workbook

from civicgrid.core.errors import ValidationError
from civicgrid.exchange.columns import Column, normalise_header

Cell = str | date
TABULAR_EXTENSIONS = (".xlsx", ".csv")
GEOJSON_EXTENSIONS = (".geojson", ".json")


@dataclass
class Row:
    number: int
    values: dict[str, Any]


@dataclass
class Table:
    rows: list[Row] = field(default_factory=list)
    # Problems of the file as a whole (missing columns…): (column header, reason).
    problems: list[tuple[str, str]] = field(default_factory=list)


class LostDigits(str):
    """Text of a long number Excel stored as a float: digits past the 15th are already lost."""

    __slots__ = ()


def extension(file_name: str) -> str:
    return PurePath(file_name).suffix.lower()


def cell_text(value: Any) -> Cell:
    """A spreadsheet cell as stripped text, or a date for date cells."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            text = str(int(value))
            return LostDigits(text) if abs(value) >= 1e15 else text
        return repr(value)
    return str(value).strip()


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK, Excel's Chinese default)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("CSV 文件编码无法识别，请另存为 UTF-8 或 GBK 编码", field="file")


def _csv_rows(data: bytes) -> Iterator[list[Any]]:
    text = decode_csv(data)
    yield from csv.reader(io.StringIO(text, newline=""))


def _xlsx_rows(data: bytes) -> Iterator[tuple[Any, ...]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ValidationError(
            "Excel 文件无法打开，请确认是 .xlsx 格式（不支持旧的 .xls）", field="file"
        ) from exc
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # some writers store a wrong size; read every row there is
        yield from sheet.iter_rows(values_only=True)
    finally:
        book.close()


def _bind(columns: list[Column], header: list[Any], table: Table) -> dict[int, str]:
    """Which position holds which column key; missing required columns are problems."""
    wanted = {key: column for column in columns for key in column.header_keys()}
    positions: dict[int, str] = {}
    seen: set[str] = set()
    for index, raw in enumerate(header):
        column = wanted.get(normalise_header(str(raw or "")))
        if column is None:
            continue
        if column.key in seen:
            table.problems.append((column.header, "该列出现了不止一次"))
            continue
        seen.add(column.key)
        positions[index] = column.key
    for column in columns:
        if column.required and column.key not in seen:
            table.problems.append((column.header, "缺少必填列，请使用下载的模板"))
    return positions


def read_tabular(file_name: str, data: bytes, columns: list[Column], max_rows: int) -> Table:
    ext = extension(file_name)
    if ext not in TABULAR_EXTENSIONS:
        raise ValidationError("只能导入 .xlsx 或 .csv 文件", field="file")
    source: Iterator[Any] = _xlsx_rows(data) if ext == ".xlsx" else _csv_rows(data)
    table = Table()
    header = next(source, None)
    if header is None:
        raise ValidationError("文件是空的", field="file")
    positions = _bind(columns, list(header), table)
    if table.problems:
        return table
    try:
        for number, raw in enumerate(source, start=2):
            values = {key: cell_text(raw[i]) if i < len(raw) else "" for i, key in positions.items()}
            if not any(v != "" for v in values.values()):
                continue
            if len(table.rows) >= max_rows:
                raise ValidationError(f"文件超过 {max_rows} 行，请拆分后分批导入", field="file")
            table.rows.append(Row(number, values))
    except csv.Error as exc:
        raise ValidationError(f"CSV 文件格式错误：{exc}", field="file") from exc
    return table


def read_geojson(file_name: str, data: bytes, max_rows: int) -> Table:
    if extension(file_name) not in GEOJSON_EXTENSIONS:
        raise ValidationError("网格范围只能导入 .geojson 文件", field="file")
    try:
        doc = json.loads(decode_csv(data))
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"GeoJSON 文件不是有效的 JSON：第{exc.lineno}行 {exc.msg}", field="file"
        ) from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ValidationError("GeoJSON 文件应为 FeatureCollection", field="file")
    features = doc.get("features")
    if not isinstance(features, list):
        raise ValidationError("GeoJSON 文件缺少 features 列表", field="file")
    if len(features) > max_rows:
        raise ValidationError(f"文件超过 {max_rows} 个要素，请拆分后分批导入", field="file")
    table = Table()
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        props = props if isinstance(props, dict) else {}
        code = props.get("code", props.get("编码", ""))
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        table.rows.append(Row(number, {"code": str(code or "").strip(), "geometry": geometry}))
    return table
