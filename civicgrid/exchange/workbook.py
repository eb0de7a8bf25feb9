"""Reading an uploaded .xlsx workbook's data sheet, shared by every import that reads one
(the exchange and party imports, historical requests, the catalogue, the knowledge base and
the classifier's files).

* Which sheet (``choose_sheet``): hidden sheets are never read. Among the visible sheets, the
  data sheet is the one whose first ``HEADER_SEARCH_ROWS`` rows name enough known columns (a
  cover, notes or 封面 sheet is passed over); when several do and more than one of them holds
  data rows the file is refused, naming them (one import reads one sheet, and no data sheet
  is dropped silently); when none does, the first visible sheet is read.
* Merged cells below the header (区域编码 merged over A4:A5) read as their top-left cell in
  every cell of the range, as the clerk sees them.
* A formula cell without a saved result (a file written by a program other than Excel/WPS)
  reads as ``NO_RESULT``, which the importers report naming its row and column, instead of
  as an empty cell. The formulas are read (a second, streamed pass) only for a sheet that
  holds formulas, and from the first empty cell on.
* A zip bomb is refused before openpyxl reads anything (``check_unpacked_size``): an .xlsx
  is a zip archive, and a small upload may unpack to gigabytes (a sheet padded with 900 MB
  of spaces compresses to under 1 MB). The archive's directory is read first: when its
  members unpack to more than ``MAX_UNPACKED_BYTES`` in all, or a member larger than
  ``RATIO_MIN_BYTES`` unpacks to more than ``MAX_RATIO`` times its packed size, the file is
  refused naming the limit. (Reading never goes past a member's declared size: zipfile
  stops there and fails the CRC check, so the declared sizes bound the work.)
"""

import io
import re
import zipfile
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from civicgrid.core.errors import ValidationError
from civicgrid.exchange.cells import HEADER_SEARCH_ROWS

Matcher = Callable[[Sequence[str]], int]

# A formula element (<f>, <f t="shared" …/>, with or without a namespace prefix); not
# <formula1> of a drop-down list nor <font>.
_FORMULA_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_MERGE_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref=\"([A-Z]+[0-9]+:[A-Z]+[0-9]+)\"")
_CHUNK = 1 << 20
# Zip bombs: 200 MB unpacked in all (ten times the largest upload, 20 MB; a real 200,000-row
# registry export unpacks to about 100 MB), and at most 100:1 for a member over 10 MB (real
# sheets pack about 5–20:1; the padded bomb was 1000:1).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
RATIO_MIN_BYTES = 10 * 1024 * 1024
_OVERLAP = 256


class NoResult(str):
    """A formula cell whose file holds no calculated result."""

    __slots__ = ()


NO_RESULT = NoResult("")


def no_result_reason(column: str) -> str:
    """The problem of a formula cell without a result, under its row (the row is said apart)."""
    return _("{column}列是公式但没有保存计算结果，请在 Excel/WPS 中打开后另存，或粘贴为数值").format(
        column=column
    )


def no_result_message(row: int, column: str) -> str:
    """The same, naming the row: for the imports that refuse the whole file."""
    return _(
        "第{row}行 {column}列是公式但没有保存计算结果，请在 Excel/WPS 中打开后另存，或粘贴为数值"
    ).format(row=row, column=column)


def _too_big() -> ValidationError:
    return ValidationError(
        _(
            "文件解压后过大（超过{megabytes}MB）或压缩比异常，请确认是正常保存的 Excel 文件，或拆分后分批导入"
        ).format(megabytes=MAX_UNPACKED_BYTES // (1024 * 1024)),
        field="file",
    )


def check_unpacked_size(archive: zipfile.ZipFile) -> None:
    """Refuse an archive that would unpack to too much (see the module's notes)."""
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if total > MAX_UNPACKED_BYTES:
            raise _too_big()
        if info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _too_big()


# The compound-file header of Excel 97–2003 workbooks (and of password-protected .xlsx files).
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def save_as_xlsx() -> str:
    """What to do with an .xls: every refusal of one says it."""
    return _("请用 Excel 或 WPS 另存为 .xlsx 后再导入")


def open_workbook(data: bytes, *, data_only: bool = True, unreadable: str = "") -> Any:
    """The workbook, streamed (``read_only``); a file that is none is refused with
    ``unreadable`` (a default message when empty), one that would unpack to too much
    (``check_unpacked_size``) before openpyxl reads it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_unpacked_size(archive)
        return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        if unreadable:
            message = unreadable
        elif data.startswith(OLE2_SIGNATURE):  # an .xls (Excel 97–2003) renamed, or an encrypted workbook
            message = _("这是旧的 .xls 格式（或设了打开密码的 Excel 文件），无法导入；") + save_as_xlsx()
        else:
            message = _("Excel 文件无法打开，请确认是 .xlsx 格式（不支持旧的 .xls）；") + save_as_xlsx()
        raise ValidationError(message, field="file") from exc


@dataclass
class SheetChoice:
    position: int = 1  # from 1, among all the workbook's sheets
    title: str = ""
    count: int = 1  # sheets in all
    hidden: int = 0  # hidden sheets passed over
    header_row: int = 0  # the header's row, as Excel numbers rows (0: none found)


def _texts(cells: Sequence[Any]) -> list[str]:
    return [c if isinstance(c, str) else "" if c is None else str(c) for c in cells]


def _header_row(sheet: Any, matches: Matcher | None, enough: int) -> int:
    """The first of the first rows naming ``enough`` known columns (0: none)."""
    if matches is None:
        return 0
    for number, cells in enumerate(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), 1):
        if matches(_texts(cells)) >= enough:
            return number
    return 0


def _first_filled(sheet: Any) -> int:
    for number, cells in enumerate(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), 1):
        if any(t.strip() for t in _texts(cells)):
            return number
    return 0


def _has_data(sheet: Any, header_row: int) -> bool:
    sheet.reset_dimensions()
    for cells in sheet.iter_rows(min_row=header_row + 1, values_only=True):
        if any(t.strip() for t in _texts(cells)):
            return True
    return False


def choose_sheet(book: Any, matches: Matcher | None = None, enough: int = 1) -> tuple[Any, SheetChoice]:
    """The data sheet of a workbook and what was chosen (see the module's notes)."""
    sheets = list(book.worksheets)
    if not sheets:
        raise ValidationError(_("文件是空的"), field="file")
    visible = [(i, s) for i, s in enumerate(sheets) if s.sheet_state == "visible"] or list(enumerate(sheets))
    hidden = len(sheets) - len(visible)
    found = [(i, s, row) for i, s in visible if (row := _header_row(s, matches, enough))]
    if len(found) > 1:
        holding = [f for f in found if _has_data(f[1], f[2])]
        if len(holding) > 1:
            names = "、".join(f"“{s.title}”" for _i, s, _row in holding)
            raise ValidationError(
                _(
                    "文件中有{count}个工作表都填有数据：{names}。一次只能导入一个工作表，"
                    "请把数据合并到一个工作表，或分成多个文件上传"
                ).format(count=len(holding), names=names),
                field="file",
            )
        found = holding or found
    if found:
        index, sheet, row = found[0]
    else:
        index, sheet = visible[0]
        row = _first_filled(sheet)
    return sheet, SheetChoice(index + 1, sheet.title, len(sheets), hidden, row)


def _scan(sheet: Any) -> tuple[bool, list[tuple[int, int, int, int]]]:
    """Whether the sheet's XML holds a formula, and its merged ranges (min_col, min_row,
    max_col, max_row); read in chunks, without keeping the XML."""
    try:
        source = sheet._get_source()
    except (AttributeError, KeyError, OSError):  # not a streamed sheet: assume formulas may be there
        return True, []
    formulas, refs, tail = False, [], b""
    with source:
        while chunk := source.read(_CHUNK):
            text = tail + chunk
            formulas = formulas or _FORMULA_RE.search(text) is not None
            cut = text.rfind(b"<", max(0, len(text) - _OVERLAP))
            cut = cut if cut > 0 else len(text)
            refs += _MERGE_RE.findall(text, 0, cut)
            tail = text[cut:]
        refs += _MERGE_RE.findall(tail)
    merges = []
    for ref in refs:
        min_col, min_row, max_col, max_row = range_boundaries(ref.decode())
        merges.append((min_col, min_row, max_col, max_row))
    return formulas, merges


class _Merges:
    """Fills each merged range below the header from its top-left cell."""

    def __init__(self, merges: list[tuple[int, int, int, int]], header_row: int) -> None:
        self.starting: dict[int, list[tuple[int, int, int, int]]] = {}
        for merge in merges:
            if merge[1] > header_row:
                self.starting.setdefault(merge[1], []).append(merge)
        self.pending: dict[int, list[tuple[int, int, Any]]] = {}  # row -> (first col, last col, value)

    def __bool__(self) -> bool:
        return bool(self.starting or self.pending)

    def fill(self, number: int, cells: list[Any]) -> list[Any]:
        for min_col, _min_row, max_col, max_row in self.starting.pop(number, ()):
            value = cells[min_col - 1] if min_col <= len(cells) else None
            if value is None:
                continue
            self.pending.setdefault(number, []).append((min_col + 1, max_col, value))
            for row in range(number + 1, max_row + 1):
                self.pending.setdefault(row, []).append((min_col, max_col, value))
        for first, last, value in self.pending.pop(number, ()):
            if len(cells) < last:
                cells.extend([None] * (last - len(cells)))
            for col in range(first, last + 1):
                if cells[col - 1] is None:
                    cells[col - 1] = value
        return cells


def sheet_rows(
    data: bytes, choice: SheetChoice, matches: Matcher | None = None, enough: int = 1, unreadable: str = ""
) -> Generator[list[Any], None, None]:
    """Every row of the data sheet from row 1, as lists of cell values (``data_only``), merged
    cells filled and formula cells without a result as ``NO_RESULT``. ``choice`` is filled in
    when the first row is taken; ``unreadable`` as for ``open_workbook``."""
    book = open_workbook(data, unreadable=unreadable)
    formula_book = None
    try:
        sheet, chosen = choose_sheet(book, matches, enough)
        choice.__dict__.update(chosen.__dict__)
        has_formulas, merged = _scan(sheet)
        merges = _Merges(merged, chosen.header_row)
        sheet.reset_dimensions()  # some writers store a wrong size; read every row there is
        formula_rows: Iterator[tuple[Any, ...]] | None = None
        at = 0  # rows taken from formula_rows
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            cells = list(values)
            if has_formulas and None in cells:
                if formula_rows is None:
                    formula_book = open_workbook(data, data_only=False)
                    formula_sheet = formula_book[sheet.title]
                    formula_sheet.reset_dimensions()
                    formula_rows = formula_sheet.iter_rows(values_only=True)
                formulas: tuple[Any, ...] = ()
                while at < number:
                    formulas = next(formula_rows, ())
                    at += 1
                for i, value in enumerate(cells):
                    if value is None and i < len(formulas) and formulas[i] is not None:
                        cells[i] = NO_RESULT
            if merges:
                cells = merges.fill(number, cells)
            yield cells
    finally:
        book.close()
        if formula_book is not None:
            formula_book.close()
