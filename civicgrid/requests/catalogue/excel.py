"""Excel (.xlsx) export, template and import of the catalogue (Chinese column headers).

The import reads the workbook's data sheet as every import does (``exchange.workbook``:
hidden sheets never, merged cells filled from their top-left cell, a formula without a saved
result refused naming its row and column) and cells as every import does
(``exchange.cells``): the header is found among
the first rows (a title row above it is passed over) and rows keep the numbers Excel shows;
text loses invisible characters and outer spaces, and codes and limits their full-width
forms (``０１０１０１`` is ``010101``).
"""

from collections.abc import Iterable, Mapping, Sequence
from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _

from civicgrid.core.errors import ValidationError
from civicgrid.core.validators import fold
from civicgrid.exchange.cells import clean_text, find_header
from civicgrid.exchange.workbook import NO_RESULT, SheetChoice, no_result_message, sheet_rows
from civicgrid.requests.catalogue.publish import catalogue_publish
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


def _sheet_help(wb: Any, title: str) -> None:
    ws = wb.create_sheet(_("填写说明"))
    lines = [
        (title, ""),
        (_("一级分类、二级分类、三级分类"), _("必填；每行一个三级分类，名称中不能有“/”")),
        (_("分类编码"), _("可空；6位数字（每级两位）。留空时沿用当前版本同名分类的编码，新分类自动编号")),
        (_("责任主体"), "、".join(KIND_SHORT.values()) + _("；留空为属地（按位置派给街道）")),
        (_("责任单位编码"), _("职能部门或公共服务企业的单位编码；属地类留空")),
        (_("责任单位名称"), _("仅供阅读，导入时忽略")),
        (_("响应级别"), "、".join(f"{TIER_SHORT[t]}={t.label}" for t in ResponseTier)),
        (_("响应时限、办理时限"), _("大于0的数字；留空按响应级别的标准时限")),
        (_("时限单位"), "、".join(UNIT_SHORT.values())),
        (_("需要回访、需要网格员核查"), _("是 或 否")),
        (_("关键词"), _("空格分隔，用于话务员检索")),
    ]
    for line in lines:
        ws.append(line)
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 90


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
    ws.append([header for _, header in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    rows = [] if template or version is None else catalogue_rows(version)
    if template:
        rows = [_TEMPLATE_EXAMPLE]
    for row in rows:
        ws.append([_display(key, row.get(key, "")) for key, _ in COLUMNS])
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


def rows_from_xlsx(data: bytes) -> list[dict[str, Any]]:
    """Rows of the data sheet (``exchange.workbook``: the visible sheet whose header names the
    columns; hidden sheets never), keyed by column (headers matched by their Chinese names)."""
    if len(data) > XLSX_MAX_BYTES:
        raise ValidationError(
            _("文件超过{megabytes}MB").format(megabytes=XLSX_MAX_BYTES // (1024 * 1024)), field="file"
        )
    by_header = {h: key for key, h in COLUMNS}

    def matches(cells: Sequence[Any]) -> int:
        return len({text(c) for c in cells} & by_header.keys())

    lines = sheet_rows(data, SheetChoice(), matches, 2, unreadable=_("文件不是有效的 Excel（.xlsx）文件"))
    try:
        header_row, first, rest = find_header(lines, _values, matches, 2)
        header = [text(h) for h in first or ()]
        index = {by_header[h]: i for i, h in enumerate(header) if h in by_header}
        missing = [HEADERS[k] for k in REQUIRED_COLUMNS if k not in index]
        if missing:
            raise ValidationError(
                _("缺少列：{columns}（表头应为前几行中的一行）").format(columns="、".join(missing)),
                field="file",
            )
        return _read_rows(rest, index, header_row + 1)
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
    lines: Iterable[Sequence[Any]], index: Mapping[str, int], start: int = 2
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for number, values in enumerate(lines, start=start):
        for key, i in index.items():
            if i < len(values) and values[i] is NO_RESULT:
                raise ValidationError(no_result_message(number, HEADERS[key]), field="file")
        if all(text(v) == "" for v in values):
            continue
        if len(rows) >= XLSX_MAX_ROWS:
            raise ValidationError(_("最多{rows}行").format(rows=XLSX_MAX_ROWS), field="file")
        row = {
            key: _cell(key, values[i]) if i < len(values) else None
            for key, i in index.items()
            if key not in INFORMATIONAL
        }
        rows.append({**row, "_line": number})
    return rows


def catalogue_import(*, actor: Any, data: bytes, note: str = "", system: bool = False) -> CatalogueVersion:
    """Publish a new version from an uploaded .xlsx (the export's or the template's layout).

    A workbook that says what the current version says (its own export, unedited) publishes
    nothing: ``CatalogueUnchanged``."""
    check_configure(actor, system)
    rows = rows_from_xlsx(data)
    return catalogue_publish(
        actor=actor, rows=rows, note=note or _("Excel导入"), system=system, if_changed=True
    )
