"""Reading a historical-requests file: .csv/.txt or .xlsx, header bound to column keys.

Text files are read as the exchange module reads them (``exchange.readers.decode_text``,
``sniff_delimiter``): UTF-8, GB18030 or UTF-16 with a BOM, commas or tabs; invisible
characters (zero-width spaces, BOM, direction marks) are dropped from the whole text at
once, and from each .xlsx text cell (``exchange.cells.clean_text``).

An .xlsx's data sheet is chosen as every import chooses it (``exchange.workbook``): hidden
sheets are never read, a cover sheet (封面) is passed over, several sheets holding data refuse
the file; merged cells below the header read as their top-left cell, and a formula cell
without a saved result refuses the file, naming its row and column.

The header is the first of the first few rows naming enough known columns, so a title row
and blank rows above it are passed over (``exchange.cells.find_header``). Rows are yielded
lazily as ``(row number, cells)``, numbered as the user sees them in Excel (header on row
1: the first data row is row 2), and wholly blank rows are skipped. Cells are text: an
.xlsx date-time becomes ``2025-03-01 08:15:00``, an integral number ``120`` and a boolean
是/否, so that every cell is checked by the same text rules.

A date cell is read as ``DateText``: only the time columns (``TIME_KEYS``) mean a date.
Elsewhere it is what Excel and WPS make of ``3-1`` or ``12-2`` typed into a cell not formatted
as text (shown 3月1日; the file keeps only the date), and a number, title or address would
become ``2026-03-01``: the row is refused for that cell (``Sheet.refused``, reported by
``Validator.chunks`` as the exchange importers report it, ``date_cell_reason``). Only an
.xlsx is checked so, as only there a cell has a type; a CSV holds the text as typed.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _

from civicgrid.core.errors import ValidationError
from civicgrid.core.validators import INVISIBLE
from civicgrid.exchange.cells import clean_text, find_header
from civicgrid.exchange.columns import normalise_header
from civicgrid.exchange.importers.base import date_cell_reason
from civicgrid.exchange.readers import decode_text, header_enough, header_matcher, sniff_delimiter
from civicgrid.exchange.workbook import NO_RESULT, Matcher, SheetChoice, no_result_message, sheet_rows
from civicgrid.requests.history_import.columns import COLUMNS, HEADERS

EXTENSIONS = (".csv", ".xlsx", ".txt")
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")
# The columns where a date cell means a date (a time of the request or of its rating).
TIME_KEYS = frozenset({"received_at", "dispatched_at", "responded_at", "replied_at", "closed_at", "rated_at"})


class DateText(str):
    """The text of an .xlsx date cell (``2026-03-01 00:00:00``): a time in a time column, and
    elsewhere 3-1 or 12-2 that Excel turned into a date (see the module's notes)."""

    __slots__ = ()


@dataclass
class Sheet:
    """The bound header and the data rows of one file."""

    positions: dict[str, int] = field(default_factory=dict)  # column key -> index in a row
    blank: int = 0  # index of a cell that is always empty (for the columns the file lacks)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column header, reason)
    rows: Iterator[tuple[int, list[str]]] = field(default_factory=lambda: iter(()))
    header_row: int = 1  # where the header is, as Excel numbers rows (problems are reported there)
    # Rows refused for a cell, filled as ``rows`` is read: row -> [(column key, reason)].
    refused: dict[int, list[tuple[str, str]]] = field(default_factory=dict)


def extension(file_name: str) -> str:
    return PurePath(file_name).suffix.lower()


def xlsx_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, datetime):
        return DateText(value.isoformat(" ", timespec="seconds"))
    if isinstance(value, date):
        return DateText(value.isoformat())
    if isinstance(value, time):  # 3:15 typed into a general cell: no request time either
        return DateText(value.isoformat(timespec="seconds"))
    if isinstance(value, bool):
        # i18n: data (compared with the yes/no spellings)
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value).strip()


def _csv_lines(data: bytes) -> Iterator[list[str]]:
    text = decode_text(data)
    if any(char in text for char in INVISIBLE):  # over the whole text, not per cell (0.5 µs a row)
        text = _INVISIBLE_RE.sub("", text)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    except csv.Error as exc:
        raise ValidationError(_("CSV 文件格式错误：{error}").format(error=exc), field="file") from exc


def _xlsx_lines(data: bytes, matches: Matcher | None, enough: int) -> Iterator[list[str]]:
    """The data sheet's lines (``exchange.workbook``: hidden sheets never, a cover sheet passed
    over, merged cells filled); a formula cell without a result stays ``NO_RESULT``."""
    for values in sheet_rows(data, SheetChoice(), matches, enough):
        yield [v if v is NO_RESULT else xlsx_cell(v) for v in values]


def _refuse_no_result(
    number: int, cells: Sequence[str], header: Sequence[str], indexes: Iterable[int]
) -> None:
    for index in indexes:
        if index < len(cells) and cells[index] is NO_RESULT:
            column = header[index] if index < len(header) else ""
            raise ValidationError(no_result_message(number, column or _column_letter(index)), field="file")


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _bind(header: Sequence[str], sheet: Sheet) -> None:
    wanted = {key: column for column in COLUMNS for key in column.header_keys()}
    seen: set[str] = set()
    for index, raw in enumerate(header):
        column = wanted.get(normalise_header(raw or ""))
        if column is None:
            continue
        if column.key in seen:
            sheet.problems.append((column.header, _("该列出现了不止一次")))
            continue
        seen.add(column.key)
        sheet.positions[column.key] = index
    for column in COLUMNS:
        if column.required and column.key not in seen:
            sheet.problems.append((column.header, _("缺少必填列，请使用导入模板")))


def _data_rows(
    lines: Iterator[list[str]],
    width: int,
    start: int = 2,
    header: Sequence[str] = (),
    bound: Iterable[int] = (),
    undated: Sequence[tuple[str, int]] = (),
    refused: dict[int, list[tuple[str, str]]] | None = None,
) -> Iterator[tuple[int, list[str]]]:
    """Rows cut or padded to the header's width, plus one empty cell (``Sheet.blank``) at the
    end; ``start`` is the row number of the first. A formula without a result in a ``bound``
    column refuses the file, naming its row and column. A date cell (``DateText``) in an
    ``undated`` column (key, index) puts the row in ``refused``."""
    bound = sorted(bound)
    for number, cells in enumerate(lines, start=start):
        _refuse_no_result(number, cells, header, bound)
        if len(cells) != width:
            cells = (cells + [""] * width)[:width]
        if any(cells):
            cells.append("")
            if undated and refused is not None:
                dated = [key for key, index in undated if type(cells[index]) is DateText]
                if dated:
                    refused[number] = [(key, date_cell_reason(HEADERS[key])) for key in dated]
            yield number, cells


def table_lines(
    file_name: str, data: bytes, matches: Matcher | None = None, enough: int = 1
) -> Iterator[list[str]]:
    """Every line of a .csv/.txt (UTF-8, GBK, UTF-16…: ``decode_text``) or of an .xlsx's data
    sheet (the visible sheet whose header ``matches`` enough known columns, else the first
    visible sheet: ``exchange.workbook.choose_sheet``), as text cells, read as iterated; also
    for the knowledge base and the classifier's files."""
    ext = extension(file_name)
    if ext not in EXTENSIONS:
        raise ValidationError(_("只能导入 .csv、.xlsx 或 .txt（Unicode 文本）文件"), field="file")
    if not data:
        raise ValidationError(_("文件是空的"), field="file")
    return _xlsx_lines(data, matches, enough) if ext == ".xlsx" else _csv_lines(data)


def _cells(line: list[str]) -> list[str]:
    return line


def table_records(
    file_name: str, data: bytes, known: Iterable[str] = ()
) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header (stripped) and the non-blank rows as ``(row number, {header: cell})``.

    The header is the first row, among the first few, naming two of the ``known`` column
    names (the one, when only one is known): a title row above it is passed over. Without
    ``known`` names, or when no row names enough of them, the first non-blank row."""
    wanted = {name.strip() for name in known}
    enough = min(2, len(wanted)) if wanted else 1

    def matches(cells: Sequence[str]) -> int:
        return len({c.strip() for c in cells} & wanted)

    lines_read = table_lines(file_name, data, matches if wanted else None, enough)
    header_row, first, lines = find_header(lines_read, _cells, matches, enough)
    header = [h.strip() for h in first or []]
    if not any(header):
        raise ValidationError(_("文件是空的"), field="file")
    rows = _records(lines, header, header_row + 1)
    return header, rows


def _records(
    lines: Iterator[list[str]], header: list[str], start: int
) -> Iterator[tuple[int, dict[str, str]]]:
    named = [i for i, h in enumerate(header) if h]
    for number, cells in enumerate(lines, start=start):
        _refuse_no_result(number, cells, header, named)
        if any(c.strip() for c in cells):
            yield number, dict(zip(header, cells, strict=False))


def read_sheet(file_name: str, data: bytes) -> Sheet:
    """Bind the header; the rows are read as they are iterated (``Sheet.rows``)."""
    matches, enough = header_matcher(COLUMNS), header_enough(COLUMNS)
    header_row, header, lines = find_header(
        table_lines(file_name, data, matches, enough), _cells, matches, enough
    )
    if header is None:
        raise ValidationError(_("文件是空的"), field="file")
    sheet = Sheet(header_row=header_row)
    _bind(header, sheet)
    if not sheet.problems:
        sheet.blank = len(header)
        undated = (
            [(key, index) for key, index in sheet.positions.items() if key not in TIME_KEYS]
            if extension(file_name) == ".xlsx"
            else []
        )
        sheet.rows = _data_rows(
            lines, len(header), header_row + 1, header, sheet.positions.values(), undated, sheet.refused
        )
    return sheet
