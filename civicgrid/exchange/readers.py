"""Reading uploaded files into numbered rows: .xlsx, .csv/.txt and .geojson.

Text files may be UTF-8 (with or without BOM), GB18030 (GBK's superset, Excel's Chinese
default) or UTF-16 with a BOM (Excel's "Unicode text"), separated by commas or tabs
(``decode_text``, ``sniff_delimiter``).

A workbook's data sheet is chosen by ``exchange.workbook``: hidden sheets are never read; the
visible sheet whose first rows name enough known columns is read, so a cover or notes sheet
before it is passed over; a file with several such sheets holding data is refused, naming
them; when none does, the first visible sheet is read and the problems say which sheet that
was (``Table.sheet_note``). Merged cells below the header read as their top-left cell, and a
formula cell without a saved result is a problem of its cell (``exchange.workbook``).

Row numbers are those the user sees in Excel: the header is the first row that names
enough known columns among the first few (a title row and blank rows above it are passed
over: ``cells.find_header``), and each data row keeps its own row number; a GeoJSON
feature is numbered from 1 in the order of the file. Cells are read by ``cells.cell_text``
(spaces and invisible characters dropped, numbers as their digits).

A cell the reader cannot pass on as it is becomes a problem of its row (``Row.problems``),
which the importer reports under that row and column: a NUL character (PostgreSQL cannot
store one), or, in a CSV file, a quote that never closes and so swallows the lines after it
into one cell (at the end of the file, or followed by what reads as further rows).
"""

import codecs
import csv
import difflib
import io
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from civicgrid.core.errors import ValidationError
from civicgrid.exchange.cells import (
    Cell,
    LostDigits,
    cell_text,
    clean_text,
    find_header,
    lost_digits_reason,
)
from civicgrid.exchange.columns import Column, normalise_header
from civicgrid.exchange.workbook import NO_RESULT, SheetChoice, no_result_reason, sheet_rows
from civicgrid.territory.geometry import declared_crs

__all__ = ["Cell", "LostDigits", "cell_text"]  # kept here for the importers that read them from here

TABULAR_EXTENSIONS = (".xlsx", ".csv", ".txt")
GEOJSON_EXTENSIONS = (".geojson", ".json")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Below this many columns a line of prose can carry a row's commas; such files are checked only
# for a quote left open at the end (every import template has more columns).
MIN_WIDTH_FOR_SWALLOWED_ROWS = 4


def _quote_hint() -> str:
    return _('请删去多余的引号（内容本身的引号请写成两个：""）')


@dataclass
class Row:
    number: int
    values: dict[str, Any]
    # Cells the reader refused: (column key, or the file's header of an unknown column; reason).
    problems: list[tuple[str, str]] = field(default_factory=list)


class OpenQuote(NamedTuple):
    """The cell (position ``column`` of its record) whose opening quote swallowed ``lines``
    further lines of the file; ``at_end`` when the quote never closes."""

    column: int
    lines: int
    at_end: bool

    def reason(self) -> str:
        if not self.at_end:
            return _("引号未闭合：这一格的引号把其后{lines}行都并入了这一格；{hint}").format(
                lines=self.lines, hint=_quote_hint()
            )
        if self.lines:
            return _(
                "引号未闭合：这一格的引号直到文件末尾都没有配对，其后{lines}行都被并入了这一格；{hint}"
            ).format(lines=self.lines, hint=_quote_hint())
        return _("引号未闭合：这一格的引号直到文件末尾都没有配对；{hint}").format(hint=_quote_hint())


# One record of a file: its cells, and the cell whose quote was left open, if any.
Record = tuple[Sequence[Any], OpenQuote | None]


@dataclass
class Table:
    rows: list[Row] = field(default_factory=list)
    # Problems of the file as a whole (missing columns…): (column header, reason).
    problems: list[tuple[str, str]] = field(default_factory=list)
    header_row: int = 1  # where the header is, as Excel numbers rows (problems are reported there)
    sheet: tuple[int, str, int] | None = None  # a workbook's: (position from 1, title, sheets in all)
    hidden_sheets: int = 0  # a workbook's hidden sheets, never read
    ignored: list[str] = field(default_factory=list)  # headers no column knows: not read, said so

    def sheet_note(self) -> str:
        """Which sheet of a workbook of several was read ("" for one sheet or a text file)."""
        if self.sheet is None or self.sheet[2] < 2:
            return ""
        position, title, count = self.sheet
        if self.hidden_sheets:
            return _("（共{count}个工作表，读取的是第{position}个“{title}”；隐藏的工作表不读取）").format(
                count=count, position=position, title=title
            )
        return _("（共{count}个工作表，读取的是第{position}个“{title}”）").format(
            count=count, position=position, title=title
        )


def lost_id_digits() -> str:
    return lost_digits_reason(_("身份证号"))


def extension(file_name: str) -> str:
    return PurePath(file_name).suffix.lower()


def decode_text(data: bytes) -> str:
    """UTF-16 when the file starts with its BOM (Excel's "Unicode text"); else UTF-8 (with or
    without BOM) first, then GB18030 (a superset of GBK, Excel's Chinese default)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                _("文件以 UTF-16 标记开头，但内容不是有效的 UTF-16 文本"), field="file"
            ) from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("CSV 文件编码无法识别，请另存为 UTF-8 或 GBK 编码"), field="file")


decode_csv = decode_text  # the name other modules know


def sniff_delimiter(text: str) -> str:
    """A tab when the first lines hold more tabs than commas (Excel's "Unicode text" and
    "text (tab-delimited)" exports), else a comma."""
    sample = text[:8192]
    return "\t" if sample.count("\t") > sample.count(",") else ","


class _Lines:
    """The physical lines of a CSV text, keeping those of the record being read."""

    def __init__(self, text: str) -> None:
        self._lines = io.StringIO(text, newline="")
        self.taken: list[str] = []

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.taken.append(line)
        return line

    def take(self) -> list[str]:
        taken, self.taken = self.taken, []
        return taken


def _ends_in_open_quote(lines: list[str], delimiter: str) -> bool:
    """Whether one record's lines end inside a quoted field: a further (empty) line then joins
    that field instead of making a record of its own."""
    return sum(1 for _record in csv.reader([*lines, ""], delimiter=delimiter)) == 1


def _open_quote(
    record: list[str], lines: list[str], width: int, last: bool, delimiter: str = ","
) -> OpenQuote | None:
    """The cell of a record whose quote ran to the end of the file, or over lines that carry
    a full row's delimiters (a real line break inside a quoted cell carries no such line)."""
    if last and record and _ends_in_open_quote(lines, delimiter):
        return OpenQuote(len(record) - 1, len(lines) - 1, at_end=True)
    if len(lines) < 2 or width < MIN_WIDTH_FOR_SWALLOWED_ROWS:
        return None
    delimiters = width - 1  # a whole row's worth of delimiters on one continuation line
    for index, cell in enumerate(record):
        if any(part.count(delimiter) >= delimiters for part in _LINE_BREAK.split(cell)[1:]):
            return OpenQuote(index, len(lines) - 1, at_end=False)
    return None


def _csv_rows(data: bytes) -> Iterator[Record]:
    text = decode_text(data)
    delimiter = sniff_delimiter(text)
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter)
    number, width = 1, 0
    record = _next_record(reader, lines, number)
    while record is not None:
        taken = lines.take()
        following = _next_record(reader, lines, number + 1)
        open_quote = _open_quote(record, taken, width or len(record), following is None, delimiter)
        if open_quote is None:  # the widest well-formed row so far: the header's, past a title row
            width = max(width, len(record))
        yield record, open_quote
        record, number = following, number + 1


def _next_record(reader: Iterator[list[str]], lines: _Lines, number: int) -> list[str] | None:
    try:
        return next(reader, None)
    except csv.Error as exc:
        if sum(map(len, lines.taken)) > csv.field_size_limit():
            swallowed = len(lines.taken) - 1
            raise ValidationError(
                _("CSV 文件第{row}行：引号未闭合，其后{lines}行都被并入了一格；{hint}").format(
                    row=number, lines=swallowed, hint=_quote_hint()
                ),
                field="file",
            ) from exc
        raise ValidationError(
            _("CSV 文件第{row}行格式错误：{error}").format(row=number, error=exc), field="file"
        ) from exc


def _xlsx_rows(
    data: bytes, table: "Table", matches: Callable[[Sequence[Any]], int], enough: int
) -> Iterator[Record]:
    choice = SheetChoice()
    rows = sheet_rows(data, choice, matches, enough)
    for number, cells in enumerate(rows, 1):
        if number == 1:
            table.sheet = (choice.position, choice.title, choice.count)
            table.hidden_sheets = choice.hidden
        yield cells, None


def header_matcher(columns: list[Column]) -> Callable[[Sequence[Any]], int]:
    """How many of ``columns`` a row names (for ``cells.find_header``)."""
    wanted = {key: column.key for column in columns for key in column.header_keys()}

    def matches(cells: Sequence[Any]) -> int:
        return len({wanted[k] for c in cells if c is not None and (k := normalise_header(str(c))) in wanted})

    return matches


def header_enough(columns: list[Column]) -> int:
    """How many known columns make a row the header: two (a title row names none)."""
    return min(2, len(columns))


def _bind(columns: list[Column], header: Sequence[Any], table: Table) -> dict[int, str]:
    """Which position holds which column key; missing required columns are problems."""
    wanted = {key: column for column in columns for key in column.header_keys()}
    positions: dict[int, str] = {}
    seen: set[str] = set()
    for index, raw in enumerate(header):
        column = wanted.get(normalise_header(str(raw or "")))
        if column is None:
            continue
        if column.key in seen:
            table.problems.append((column.header, _("该列出现了不止一次")))
            continue
        seen.add(column.key)
        positions[index] = column.key
    # The file's other headers help only where its header row is one (it names a known
    # column): a cover or notes sheet read for want of a data sheet is said as such.
    unknown = (
        [t for raw in header if (t := str(raw or "").strip()) and normalise_header(t) not in wanted]
        if seen
        else []
    )
    for column in columns:
        if column.required and column.key not in seen:
            table.problems.append((column.header, _missing_reason(column, unknown)))
    table.ignored = unknown
    return positions


def ignored_note(table: Table) -> str:
    """What the import says of the headers it did not read (序号, 备注, a misnamed 手机…): a
    column read by nobody must not pass unnoticed."""
    if not table.ignored:
        return ""
    listed = _("、").join(_("「{text}」").format(text=text) for text in table.ignored[:8])
    more = _("等 {count} 列").format(count=len(table.ignored)) if len(table.ignored) > 8 else ""
    return _("文件中的{listed}{more}不是模板中的列，未导入").format(listed=listed, more=more)


def _missing_reason(column: Column, unknown: Sequence[str]) -> str:
    """Why a required column is missing, naming the header of the file that looks like it
    (名字 for 姓名, 身份证 for 身份证号: ``difflib`` similarity ≥ 0.5), else the headers the file
    has that no column knows."""
    reason = _("缺少必填列，请使用下载的模板")
    keys = column.header_keys()

    def likeness(text: str) -> float:
        folded = normalise_header(text)
        return max(difflib.SequenceMatcher(None, folded, key).ratio() for key in keys)

    best = max(unknown, key=likeness, default="")
    if best and likeness(best) >= 0.5:
        return _("{reason}；文件中的「{found}」是否就是这一列？请把表头改为「{header}」").format(
            reason=reason, found=best, header=column.header
        )
    if unknown:
        listed = _("、").join(_("「{text}」").format(text=text) for text in unknown[:8])
        return _("{reason}；文件中未识别的列：{listed}").format(reason=reason, listed=listed)
    return reason


def read_tabular(file_name: str, data: bytes, columns: list[Column], max_rows: int) -> Table:
    ext = extension(file_name)
    if ext not in TABULAR_EXTENSIONS:
        raise ValidationError(_("只能导入 .xlsx、.csv 或 .txt（Unicode 文本）文件"), field="file")
    table = Table()
    matches, enough = header_matcher(columns), header_enough(columns)
    source = _xlsx_rows(data, table, matches, enough) if ext == ".xlsx" else _csv_rows(data)
    header_row, first, rest = find_header(source, lambda record: record[0], matches, enough)
    if first is None:
        raise ValidationError(_("文件是空的") + table.sheet_note(), field="file")
    table.header_row = header_row
    header = list(first[0])
    positions = _bind(columns, header, table)
    if table.problems:
        if note := table.sheet_note():
            table.problems = [(column, reason + note) for column, reason in table.problems]
        return table
    by_key = {c.key: c for c in columns}
    may_hold_nul = ext == ".xlsx" or b"\x00" in data  # UTF-8 and GB18030 encode NUL as that byte only
    for number, (raw, open_quote) in enumerate(rest, start=header_row + 1):
        row = Row(number, {key: cell_text(raw[i]) if i < len(raw) else "" for i, key in positions.items()})
        if ext == ".xlsx":
            _refuse_no_result(row, raw, positions, by_key)
        if may_hold_nul:
            _refuse_nul(row, by_key)
        if open_quote is not None:
            row.problems.append((_column_at(open_quote.column, header, positions), open_quote.reason()))
        if not row.problems and not any(v != "" for v in row.values.values()):
            continue
        if len(table.rows) >= max_rows:
            raise ValidationError(
                _("文件超过 {max_rows} 行，请拆分后分批导入").format(max_rows=max_rows), field="file"
            )
        table.rows.append(row)
    return table


def _refuse_no_result(
    row: Row, raw: Sequence[Any], positions: dict[int, str], columns: dict[str, Column]
) -> None:
    """A formula cell without a saved result is a problem of its cell, not an empty cell."""
    for index, key in positions.items():
        if index < len(raw) and raw[index] is NO_RESULT:
            row.problems.append((key, no_result_reason(columns[key].header)))


def _refuse_nul(row: Row, columns: dict[str, Column]) -> None:
    """A NUL character is a problem of its cell, and is dropped so no lookup ever sends one."""
    for key, value in row.values.items():
        if isinstance(value, str) and "\x00" in value:
            row.values[key] = value.replace("\x00", "").strip()
            row.problems.append((key, _("{header}不能包含空字符（NUL）").format(header=columns[key].header)))


def _column_at(index: int, header: list[Any], positions: dict[int, str]) -> str:
    """The key of the column at ``index``, or its header in the file when no column is bound there."""
    if index in positions:
        return positions[index]
    text = str(header[index] or "").strip() if index < len(header) else ""
    return text or _("第{column}列").format(column=index + 1)


# Nesting a GeoJSON file needs: FeatureCollection → features → Feature → geometry →
# coordinates of a MultiPolygon (4 levels) is 8; properties may nest a little more.
GEOJSON_MAX_DEPTH = 64


def _too_deep() -> str:
    return _("GeoJSON 文件嵌套层数过多（超过{depth}层），不是有效的 GeoJSON").format(depth=GEOJSON_MAX_DEPTH)


def _json_reason(message: str) -> str:
    """The Python json module's English reason, said in Chinese."""
    reasons = (
        ("Expecting value", _("此处应为一个值（可能缺少内容或多了逗号）")),
        ("Expecting ',' delimiter", _("此处应为逗号")),
        ("Expecting ':' delimiter", _("此处应为冒号")),
        ("Expecting property name", _("此处应为用双引号括起的属性名（可能多了逗号）")),
        ("Unterminated string", _("字符串缺少结尾的双引号")),
        ("Invalid control character", _("字符串中有无效的控制字符")),
        ("Invalid \\uXXXX escape", _("无效的 \\u 转义")),
        ("Invalid \\escape", _("无效的转义字符")),
        ("Extra data", _("JSON 内容结束后还有多余的内容")),
        ("Illegal trailing comma", _("多了结尾的逗号")),
    )
    for english, chinese in reasons:
        if message.startswith(english):
            return chinese
    return _("格式错误")


def _depth_over(doc: Any, limit: int) -> bool:
    """Whether lists and objects nest deeper than ``limit`` (without recursion)."""
    stack = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        elif not isinstance(value, list):
            continue
        if depth > limit:
            return True
        stack.extend((item, depth + 1) for item in value if isinstance(item, (list, dict)))
    return False


def read_geojson(file_name: str, data: bytes, max_rows: int) -> Table:
    if extension(file_name) not in GEOJSON_EXTENSIONS:
        raise ValidationError(_("网格范围只能导入 .geojson 文件"), field="file")
    try:
        doc = json.loads(decode_text(data))
    except json.JSONDecodeError as exc:
        raise ValidationError(
            _("GeoJSON 文件不是有效的 JSON：第{line}行第{column}列，{reason}").format(
                line=exc.lineno, column=exc.colno, reason=_json_reason(exc.msg)
            ),
            field="file",
        ) from exc
    except RecursionError as exc:
        raise ValidationError(_too_deep(), field="file") from exc
    if _depth_over(doc, GEOJSON_MAX_DEPTH):
        raise ValidationError(_too_deep(), field="file")
    if isinstance(doc, dict) and doc.get("type") == "Feature":  # one feature: a collection of one
        doc = {"type": "FeatureCollection", "features": [doc]}
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ValidationError(_("GeoJSON 文件应为 FeatureCollection（或单个 Feature）"), field="file")
    features = doc.get("features")
    if not isinstance(features, list):
        raise ValidationError(_("GeoJSON 文件缺少 features 列表"), field="file")
    if len(features) > max_rows:
        raise ValidationError(
            _("文件超过 {max_rows} 个要素，请拆分后分批导入").format(max_rows=max_rows), field="file"
        )
    table = Table()
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        props = props if isinstance(props, dict) else {}
        code = props.get("code", props.get("编码", ""))
        name = props.get("name", props.get("名称", ""))  # to name the feature in errors
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        # The coordinate system a feature or the file declares (GCJ-02 is converted on import).
        crs = declared_crs(feature, doc)
        table.rows.append(
            Row(
                number,
                {
                    "code": clean_text(str(code or "")),
                    "name": clean_text(str(name or ""))[:100],
                    "geometry": geometry,
                    "crs": crs,
                },
            )
        )
    return table
