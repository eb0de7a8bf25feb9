"""Excel (.xlsx) export, template and import of the catalogue (Chinese column headers).

The import reads the workbook's data sheet as every import does (``exchange.workbook``:
hidden sheets never, merged cells filled from their top-left cell, a formula without a saved
result refused naming its row and column) and cells as every import does
(``exchange.cells``): the header is found among
the first rows (a title row above it is passed over) and rows keep the numbers Excel shows;
text loses invisible characters and outer spaces, and codes and limits their full-width
forms (``０１０１０１`` is ``010101``). No column of the catalogue is a date: a date cell is
what Excel and WPS make of ``3-1`` or ``12-2`` typed into a cell not formatted as text (shown
3月1日; the file keeps only the date), and is refused naming its row and column
(``date_cell_reason``) instead of naming a category ``2026-03-01 00:00:00``. Such cells
(and formulas without a result) are reported under their rows together with every other
problem of the file, in one round, as the other imports do.

The header is checked before any row: a column the catalogue does not know (关键词 renamed
关键字) is refused ("未知列：关键字"), as is a known column missing from a file the export
or the template wrote (its 填写说明 sheet says so): 关键词 deleted or renamed there would
otherwise wipe every keyword, 责任主体 deleted would turn every department into 属地. A
hand-made file (no such sheet) needs only the three names, as before (the other columns
take their defaults), but 责任单位编码 without 责任主体 is refused too.

An export says its version in the 填写说明 sheet ("派单目录第4版"). Imported when another
version is current, it would silently undo what was published since (another
administrator's edit): ``catalogue_import`` refuses it with ``Conflict`` (409) unless
``force`` (the page's "基于旧版本导入（覆盖他人修改）"). A file without the version (the
template, a hand-made file) imports as before.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _

from civicgrid.core.errors import ValidationError
from civicgrid.core.validators import fold
from civicgrid.exchange.cells import clean_text, find_header
from civicgrid.exchange.importers.base import date_cell_reason
from civicgrid.exchange.workbook import NO_RESULT, SheetChoice, no_result_reason, open_workbook, sheet_rows
from civicgrid.requests.catalogue.publish import Changes, catalogue_preview, catalogue_publish, stale_conflict
from civicgrid.requests.catalogue.read import catalogue_rows
from civicgrid.requests.catalogue.rows import (
    BOOL_SHORT,
    COLUMNS,
    HEADERS,
    INFORMATIONAL,
    KIND_SHORT,
    REQUIRED_COLUMNS,
    TIER_SHORT,
    UNIT_SHORT,
    check_configure,
    text,
)
from civicgrid.requests.constants import ResponseTier, ResponsibleKind
from civicgrid.requests.defaults.builder import TIER_LIMITS
from civicgrid.requests.models import CatalogueVersion
from civicgrid.workcal.constants import LimitUnit


def _display(key: str, value: Any) -> Any:
    for mapping_key, mapping in (
        (("responsible_kind",), KIND_SHORT),
        (("response_tier",), TIER_SHORT),
        (("response_unit", "resolution_unit"), UNIT_SHORT),
    ):
        if key in mapping_key:
            return mapping.get(value, value)
    if isinstance(value, bool):
        return BOOL_SHORT[value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# i18n: data (the sheet and the title the import reads back; the translated forms too)
HELP_SHEET = "填写说明"
TITLE_RE = re.compile(r"^\s*派单目录(?:第(\d+)版|导入模板)?\s*$")


def _tier_limits(tier: ResponseTier) -> str:
    """A tier's usual limits for the help sheet: "（响应0.5小时（自然时），办理2小时（自然时））"."""
    response, response_unit, resolution, resolution_unit = TIER_LIMITS[tier]
    return _("（响应{response}{response_unit}，办理{resolution}{resolution_unit}）").format(
        response=f"{response:g}",
        response_unit=LimitUnit(response_unit).label,
        resolution=f"{resolution:g}",
        resolution_unit=LimitUnit(resolution_unit).label,
    )


def _sheet_help(wb: Any, title: str) -> None:
    ws = wb.create_sheet(_("填写说明"))
    lines = [
        (title, ""),
        (_("一级分类、二级分类、三级分类"), _("必填；每行一个三级分类，名称中不能有“/”")),
        (_("分类编码"), _("可空；6位数字（每级两位）。留空时沿用当前版本同名分类的编码，新分类自动编号")),
        (_("责任主体"), "、".join(KIND_SHORT.values()) + _("；留空为属地（按位置派给街道）")),
        (_("责任单位编码"), _("职能部门或公共服务企业的单位编码；属地类留空")),
        (_("责任单位名称"), _("仅供阅读，导入时忽略")),
        (
            _("响应级别"),
            "；".join(f"{TIER_SHORT[t]}{_tier_limits(t)}" for t in ResponseTier)
            + _("。级别决定该类诉求的默认响应和办理时限：时限列留空时按所选级别的上述时限，填写则以填写为准"),
        ),
        (_("响应时限、办理时限"), _("大于0的数字；留空按响应级别的标准时限")),
        (_("时限单位"), "、".join(UNIT_SHORT.values())),
        (_("需要回访、需要网格员核查"), _("是 或 否")),
        (_("关键词"), _("空格分隔，用于话务员检索")),
    ]
    for line in lines:
        _append(ws, line)
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 90


def _append(ws: Any, values: Sequence[Any]) -> None:
    """One row, every text cell written as text: openpyxl would store a keyword "=报修" as a
    formula without a result, which our own import then refuses."""
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _validations(ws: Any, rows: int) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    choices = {
        "responsible_kind": KIND_SHORT.values(),
        "response_tier": TIER_SHORT.values(),
        "response_unit": UNIT_SHORT.values(),
        "resolution_unit": UNIT_SHORT.values(),
        "needs_callback": BOOL_SHORT.values(),
        "needs_verification": BOOL_SHORT.values(),
    }
    for index, (key, _header) in enumerate(COLUMNS, start=1):
        if key in choices:
            dv = DataValidation(type="list", formula1='"' + ",".join(choices[key]) + '"', allow_blank=True)
            letter = get_column_letter(index)
            dv.add(f"{letter}2:{letter}{max(rows, 1000) + 1}")
            ws.add_data_validation(dv)


def catalogue_xlsx(version: CatalogueVersion | None, *, template: bool = False) -> bytes:
    """The catalogue as an .xlsx (one row per leaf, Chinese headers), or an empty template."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    # i18n: data (the import finds the sheet by this name)
    ws.title = "派单目录"
    _append(ws, [header for _, header in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    rows = [] if template or version is None else catalogue_rows(version)
    if template:
        rows = [_TEMPLATE_EXAMPLE]
    for row in rows:
        _append(ws, [_display(key, row.get(key, "")) for key, _ in COLUMNS])
    code_col = [key for key, _ in COLUMNS].index("code") + 1
    for (cell,) in ws.iter_rows(min_row=2, min_col=code_col, max_col=code_col):
        cell.number_format = "@"
    for index, (key, header) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = (
            24 if key.startswith("level") else len(header) * 2 + 4
        )
    ws.freeze_panes = "A2"
    _validations(ws, len(rows))
    title = (
        _("派单目录导入模板")
        if template
        else _("派单目录第{number}版").format(number=version.number)
        if version
        else _("派单目录")
    )
    _sheet_help(wb, title)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


# i18n: data (the template's example row must import as it is)
_TEMPLATE_EXAMPLE: dict[str, Any] = {
    "level1": "城乡建设",
    "level2": "街面秩序",
    "level3": "占道经营",
    "responsible_kind": ResponsibleKind.DEPARTMENT,
    "responsible_unit": "CGJ",
    "response_tier": ResponseTier.TIER_2,
    "response_limit": 2,
    "response_unit": LimitUnit.HOURS,
    "resolution_limit": 4,
    "resolution_unit": LimitUnit.HOURS,
    "needs_callback": True,
    "needs_verification": True,
    "keywords": "摆摊 流动摊贩",
}

XLSX_MAX_BYTES = 5 * 1024 * 1024
XLSX_MAX_ROWS = 20000
# Columns of codes and numbers, where a full-width form means the ASCII one.
FOLDED = frozenset({"code", "responsible_unit", "response_limit", "resolution_limit"})


@dataclass(frozen=True)
class ExportMark:
    """What the 填写说明 sheet of our export or template says (``ours``: there is one)."""

    ours: bool = False
    version: int | None = None  # the version exported ("派单目录第N版"); None for the template


def _title_patterns() -> list[re.Pattern[str]]:
    patterns = [TITLE_RE]
    numbered = _("派单目录第{number}版")
    if "{number}" in numbered:
        before, after = (re.escape(part) for part in numbered.split("{number}", 1))
        template = re.escape(_("派单目录导入模板"))
        patterns.append(re.compile(rf"^\s*(?:{before}(\d+){after}|{template})\s*$"))
    return patterns


def export_mark(data: bytes) -> ExportMark:
    """The export's own mark: the title in A1 of its 填写说明 sheet."""
    book = open_workbook(data, unreadable=_("文件不是有效的 Excel（.xlsx）文件"))
    try:
        for sheet in book.worksheets:
            if sheet.title not in (HELP_SHEET, _("填写说明")):
                continue
            first = next(sheet.iter_rows(max_row=1, max_col=1, values_only=True), (None,))
            title = first[0] if first else None
            if not isinstance(title, str):
                continue
            for pattern in _title_patterns():
                if found := pattern.match(title):
                    number = found.group(1)
                    return ExportMark(True, int(number) if number else None)
    finally:
        book.close()
    return ExportMark()


def _check_header(header: Sequence[str], index: Mapping[str, int], mark: ExportMark) -> None:
    """Unknown columns, and missing ones (see the module's notes): one error, nothing read."""
    known = set(HEADERS.values())
    unknown = list(dict.fromkeys(h for h in header if h and h not in known))
    needed = list(REQUIRED_COLUMNS)
    if mark.ours:
        needed = [key for key, _h in COLUMNS if key not in INFORMATIONAL]
    elif "responsible_unit" in index:
        needed.append("responsible_kind")
    missing = [HEADERS[k] for k in needed if k not in index]
    expected = "、".join(h for _k, h in COLUMNS)
    if not index:  # no column of the catalogue anywhere: the sheet is not there (only 填写说明)
        raise ValidationError(
            _("找不到派单目录工作表（应有列：{expected}）；未导入任何内容").format(expected=expected),
            field="file",
        )
    problems = []
    if unknown:
        problems.append(_("未知列：{columns}").format(columns="、".join(unknown)))
    if missing:
        problems.append(_("缺少列：{columns}").format(columns="、".join(missing)))
    if problems:
        raise ValidationError(
            _(
                "{problems}（表头应为前几行中的一行，列名须与导出的文件一致：{expected}）；未导入任何内容"
            ).format(problems="；".join(problems), expected="、".join(h for _k, h in COLUMNS)),
            field="file",
        )


# An Excel 97–2003 workbook (.xls) is an OLE compound file; openpyxl reads only .xlsx.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _check_size(data: bytes) -> None:
    """Too large, or an old .xls (said so, rather than "not a valid Excel file")."""
    if len(data) > XLSX_MAX_BYTES:
        raise ValidationError(
            _("文件超过{megabytes}MB").format(megabytes=XLSX_MAX_BYTES // (1024 * 1024)), field="file"
        )
    if data.startswith(OLE_MAGIC):
        raise ValidationError(_("不支持旧的 .xls 格式，请另存为 .xlsx"), field="file")


def rows_from_xlsx(data: bytes, mark: ExportMark | None = None) -> list[dict[str, Any]]:
    """Rows of the data sheet (``exchange.workbook``: the visible sheet whose header names the
    columns; hidden sheets never), keyed by column (headers matched by their Chinese names).
    The header is checked first (``_check_header``); ``mark`` is the file's ``export_mark``
    (read when not given)."""
    _check_size(data)
    if mark is None:
        mark = export_mark(data)
    by_header = {h: key for key, h in COLUMNS}

    def matches(cells: Sequence[Any]) -> int:
        return len({text(c) for c in cells} & by_header.keys())

    choice = SheetChoice()
    lines = sheet_rows(data, choice, matches, 2, unreadable=_("文件不是有效的 Excel（.xlsx）文件"))
    try:
        header_row, first, rest = find_header(lines, _values, matches, 2)
        # Other sheets besides the data sheet (and our 填写说明): rows say which sheet they are in.
        sheet = choice.title if choice.count - (1 if mark.ours else 0) > 1 else ""
        header = [text(h) for h in first or ()]
        index: dict[str, int] = {}
        for i, h in enumerate(header):
            if h in by_header:
                if by_header[h] in index:
                    raise ValidationError(_("列“{column}”出现了两次").format(column=h), field="file")
                index[by_header[h]] = i
        _check_header(header, index, mark)
        return _read_rows(rest, index, header_row + 1, sheet)
    finally:
        lines.close()


def _values(row: Sequence[Any]) -> Sequence[Any]:
    return row


def _cell(key: str, value: Any) -> Any:
    """A cell as the row checks expect it: text cleaned (codes and limits folded to ASCII)."""
    if not isinstance(value, str):
        return value
    return fold(value) if key in FOLDED else clean_text(value)


def _read_rows(
    lines: Iterable[Sequence[Any]], index: Mapping[str, int], start: int = 2, sheet: str = ""
) -> list[dict[str, Any]]:
    """The rows as dicts with their Excel row numbers (``_line``) and, when the workbook has
    other sheets, the data sheet's name (``_sheet``) for the reasons. A cell that cannot be
    read (a formula without a saved result, a date: see the module's notes) is kept as
    ``None`` and its reason under ``_cells`` (column key → reason): ``check_rows`` reports
    it with every other problem of the file, in one round."""
    rows: list[dict[str, Any]] = []
    for number, values in enumerate(lines, start=start):
        cells: dict[str, str] = {}
        for key, i in index.items():
            if i < len(values) and values[i] is NO_RESULT:
                cells[key] = no_result_reason(f"「{HEADERS[key]}」")
        if not cells and all(text(v) == "" for v in values):
            continue
        if len(rows) >= XLSX_MAX_ROWS:
            raise ValidationError(_("最多{rows}行").format(rows=XLSX_MAX_ROWS), field="file")
        row = {
            key: _cell(key, values[i]) if i < len(values) and key not in cells else None
            for key, i in index.items()
            if key not in INFORMATIONAL
        }
        for key, value in row.items():
            if isinstance(value, (date, time)):
                cells[key] = date_cell_reason(f"「{HEADERS[key]}」")
                row[key] = None
        where: dict[str, Any] = {"_line": number, **({"_sheet": sheet} if sheet else {})}
        if cells:  # in the order of the columns
            where["_cells"] = {key: cells[key] for key in index if key in cells}
        rows.append({**row, **where})
    return rows


def _merged(current: CatalogueVersion | None, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """ "在当前版本基础上追加/修改": the current version's leaves, each replaced whole by the
    file's row of the same three names, then the file's new leaves. Leaves the file leaves out
    are kept (nothing is deleted this way)."""
    if current is None:
        return [dict(row) for row in rows]

    def key(row: Mapping[str, Any]) -> tuple[str, ...]:
        return tuple(text(row.get(k)) for k in ("level1", "level2", "level3"))

    given = {key(row): row for row in rows}
    where = _("当前第{number}版").format(number=current.number)
    merged: list[dict[str, Any]] = []
    for index, row in enumerate(catalogue_rows(current), start=1):
        replaced = given.pop(key(row), None)
        merged.append(dict(replaced) if replaced is not None else {**row, "_line": index, "_sheet": where})
    return merged + [dict(row) for row in rows if key(row) in given]


def _import_rows(data: bytes, force: bool, merge: bool) -> tuple[list[dict[str, Any]], int | None]:
    """The rows a file publishes (merged into the current version when ``merge``) and the
    version it must be based on (``None``: any); a stale export is refused at once."""
    _check_size(data)
    mark = export_mark(data)
    based_on = None if force else mark.version
    current = CatalogueVersion.objects.filter(is_current=True).first()
    if based_on is not None:
        number = current.number if current else None
        if number != based_on:  # said at once; checked again under the lock when publishing
            raise stale_conflict(based_on, number)
    rows = rows_from_xlsx(data, mark)
    return (_merged(current, rows) if merge else rows), based_on


def catalogue_import_preview(
    *, actor: Any, data: bytes, system: bool = False, force: bool = False, merge: bool = False
) -> Changes:
    """What ``catalogue_import`` of ``data`` would change against the current version
    (added, removed and changed leaves), refused as the import would be; nothing is written."""
    check_configure(actor, system)
    rows, based_on = _import_rows(data, force, merge)
    return catalogue_preview(actor=actor, rows=rows, system=system, based_on=based_on)


def catalogue_import(
    *,
    actor: Any,
    data: bytes,
    note: str = "",
    system: bool = False,
    force: bool = False,
    merge: bool = False,
    removals_confirmed: bool = True,
) -> CatalogueVersion:
    """Publish a new version from an uploaded .xlsx (the export's or the template's layout).

    A workbook that says what the current version says (its own export, unedited) publishes
    nothing: ``CatalogueUnchanged``. An export of another version than the current one is
    refused with ``Conflict`` (409) unless ``force``; see the module's notes. With ``merge``
    the file's rows are merged into the current version (``_merged``) instead of replacing
    it. Without ``removals_confirmed`` a version deleting leaves raises
    ``RemovalsUnconfirmed`` (the page asks first; the command line publishes as told)."""
    check_configure(actor, system)
    rows, based_on = _import_rows(data, force, merge)
    return catalogue_publish(
        actor=actor,
        rows=rows,
        note=note or _("Excel导入"),
        system=system,
        if_changed=True,
        based_on=based_on,
        removals_confirmed=removals_confirmed,
    )
