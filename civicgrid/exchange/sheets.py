"""Downloadable import templates: .xlsx (header, example row, drop-downs, a 说明 sheet), .csv, .geojson.

The example row shows what a filled row looks like; it names a node where the downloading
actor may import. It is never imported: a row whose other cells are the example's
(``EXAMPLE_VALUES``, whatever its node or household code) is skipped by the import, which
says so (``exchange.examples``).
"""

import csv
import io
import json
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from shapely.errors import GEOSException
from shapely.geometry import shape

from civicgrid.accounts.permissions import Capability
from civicgrid.exchange.columns import COLUMNS, Column
from civicgrid.exchange.models import ImportKind
from civicgrid.exchange.selectors import example_node
from civicgrid.territory.models import Node, NodeKind

PLACEHOLDER_COMMUNITY = "320213001001"
NUMERIC_KEYS = {"lon", "lat", "area", "employees"}
VALIDATION_ROWS = 5000
GENERAL_NOTES = [
    gettext_lazy(
        "第1行是表头，请勿修改；第2行是示例，导入时会被跳过（不会导入），可保留或删除，请从第3行起填写实际数据。"
    ),
    gettext_lazy("带 * 的列必须填写；选择类的列可填中文名称（如 自住、男、户籍人口），也可以填代码。"),
    gettext_lazy(
        "导入时先校验全部行：只要有一行有错误，整个文件都不会导入，页面会列出每个错误所在的行、列和原因。"
    ),
    gettext_lazy("也可以保存为 CSV（UTF-8 或 GBK 编码）后导入；列的顺序可以调整，但列名需与模板一致。"),
]


def _code(actor: Any, capability: Capability, kinds: list[str], fallback: str) -> str:
    node = example_node(actor, capability, kinds)
    return node.code if node else fallback


def _point_inside(node: Node | None) -> dict[str, str]:
    """lon/lat of a point inside the nearest area with a polygon at or above ``node`` (the one
    the import checks a new grid's point against), so that the example passes that check;
    nothing when none has a polygon (the example's own point stands)."""
    if node is None:
        return {}
    areas = Node.objects.filter(id__in=node.path_ids, geometry__isnull=False).only("geometry", "path")
    for area in sorted(areas, key=lambda a: len(a.path), reverse=True):
        try:
            point = shape(area.geometry).representative_point()
        except (GEOSException, ValueError, TypeError, AttributeError, KeyError):
            continue
        if not point.is_empty:
            return {"lon": f"{point.x:.6f}", "lat": f"{point.y:.6f}"}
    return {}


# Example values replaced by ones that fit the downloading actor's area (``example_row``): the
# import's example check (``exchange.examples``) does not compare them.
PER_ACTOR_KEYS = frozenset({"lon", "lat"})

# i18n: data (the example row's values: choice labels and tag names as an import reads them)
EXAMPLE_VALUES: dict[str, dict[str, str]] = {
    ImportKind.NODES: {
        "kind": str(NodeKind.GRID.label),
        "name": "示例网格",
        "grid_type": "综合网格",
        "lon": "120.305",
        "lat": "31.575",
        "address": "示例路1号",
    },
    ImportKind.POSITIONS: {
        "post": "专职网格员",
        "holder_name": "张三",
        "phone": "13800138000",
        "organisation_name": "示例社区居委会",
        "start_date": "2024-01-01",
    },
    ImportKind.RESIDENTS: {
        "name": "张三",
        "id_number": "320213199003071233",
        "phone": "13800138000",
        "gender": "男",
        "birth_date": "1990-03-07",
        "residence_type": "户籍人口",
        "relation_to_head": "户主",
        "tags": "党员、志愿者",
    },
    ImportKind.DWELLINGS: {
        "room": "1单元301",
        "use": "自住",
        "area": "89.5",
        "owner_name": "张三",
    },
    ImportKind.ORGANISATIONS: {
        "name": "示例科技有限公司",
        "kind": "企业",
        "credit_code": "91320213MA1P2Q3R4X",
        "address": "示例路2号",
        "contact_name": "李四",
        "contact_phone": "0510-12345678",
        "employees": "12",
    },
}


# i18n: data (the example row's values, as an import reads them)
# The nodes example where the downloader has no community or street to put a grid under (a
# fresh installation: nothing imported yet): the top of a tree, a district with no 上级编码,
# the first row a system administrator imports. It stands on its own, where a grid's example
# would name a parent the installation does not have.
TOP_NODE_EXAMPLE: dict[str, str] = {
    "kind": str(NodeKind.DISTRICT.label),
    "code": "320299000000",
    "name": "示例区",
    "address": "示例路1号",
}
# Every example a template may show, by kind (``exchange.examples`` skips a row of any).
EXAMPLE_VARIANTS: dict[str, list[dict[str, str]]] = {
    kind: [values, TOP_NODE_EXAMPLE] if kind == ImportKind.NODES else [values]
    for kind, values in EXAMPLE_VALUES.items()
}


def example_row(kind: str, actor: Any) -> dict[str, str]:
    """Values of the example row, keyed by column key: ``EXAMPLE_VALUES`` and a node where
    the downloading actor may import (its code differs from one actor to another)."""
    if kind == ImportKind.NODES:
        kinds: list[str] = [NodeKind.COMMUNITY, NodeKind.SUBDISTRICT]
        parent = example_node(actor, Capability.TERRITORY_EDIT, kinds)
        if parent is None:
            return dict(TOP_NODE_EXAMPLE)
        return EXAMPLE_VALUES[kind] | {"parent_code": parent.code} | _point_inside(parent)
    grid = _code(actor, Capability.REGISTRY_EDIT, [NodeKind.GRID, NodeKind.COMMUNITY], PLACEHOLDER_COMMUNITY)
    if kind == ImportKind.POSITIONS:
        grid = _code(actor, Capability.POSITION_EDIT, [NodeKind.GRID, NodeKind.COMMUNITY], grid)
        return EXAMPLE_VALUES[kind] | {"node_code": grid}
    if kind == ImportKind.RESIDENTS:
        return EXAMPLE_VALUES[kind] | {"node_code": grid, "household_code": f"{grid}H9001"}
    if kind == ImportKind.DWELLINGS:
        building = _code(actor, Capability.REGISTRY_EDIT, [NodeKind.BUILDING, NodeKind.ENTRANCE], "")
        return EXAMPLE_VALUES[kind] | {"node_code": building or f"{grid}B001"}
    if kind == ImportKind.ORGANISATIONS:
        return EXAMPLE_VALUES[kind] | {"node_code": grid}
    raise ValueError(kind)


def _header(column: Column) -> str:
    return f"{column.header}*" if column.required else column.header


def template_csv(kind: str, actor: Any) -> bytes:
    columns = COLUMNS[kind]
    example = example_row(kind, actor)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_header(c) for c in columns])
    writer.writerow([example.get(c.key, "") for c in columns])
    return out.getvalue().encode("utf-8-sig")


def _choices_formula(column: Column) -> str | None:
    formula = '"' + ",".join(column.labels) + '"'
    return formula if len(formula) <= 255 and "," not in "".join(column.labels) else None


def _data_sheet(book: Workbook, kind: str, actor: Any) -> None:
    sheet = book.active
    assert sheet is not None
    sheet.title = ImportKind(kind).label[:31]
    columns = COLUMNS[kind]
    example = example_row(kind, actor)
    sheet.append([_header(c) for c in columns])
    sheet.append([example.get(c.key, "") for c in columns])
    fill = PatternFill("solid", fgColor="FDE2E2")
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="991B1B" if column.required else "1F2328")
        cell.fill = fill
        dimension = sheet.column_dimensions[letter]
        dimension.width = max(12, len(column.header) * 2 + 4, len(example.get(column.key, "")) + 4)
        if column.key not in NUMERIC_KEYS:
            dimension.number_format = "@"
            sheet.cell(row=2, column=index).number_format = "@"
        if column.choices is not None and (formula := _choices_formula(column)):
            validation = DataValidation(type="list", formula1=formula, allow_blank=True)
            validation.error = _("请从下拉列表中选择{header}").format(header=column.header)
            validation.prompt = column.help
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{VALIDATION_ROWS}")
    sheet.freeze_panes = "A2"


def _notes_sheet(book: Workbook, kind: str) -> None:
    sheet = book.create_sheet(_("说明"))
    sheet.append([_("列名"), _("是否必填"), _("说明"), _("可选值")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in COLUMNS[kind]:
        sheet.append(
            [column.header, _("是") if column.required else _("否"), column.help, "、".join(column.labels)]
        )
    sheet.append([])
    for note in GENERAL_NOTES:
        sheet.append([str(note)])
    for letter, width in (("A", 18), ("B", 10), ("C", 70), ("D", 60)):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def template_xlsx(kind: str, actor: Any) -> bytes:
    book = Workbook()
    _data_sheet(book, kind, actor)
    _notes_sheet(book, kind)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_geojson(actor: Any) -> bytes:
    grid = example_node(actor, Capability.TERRITORY_EDIT, [NodeKind.GRID])
    code = grid.code if grid else f"{PLACEHOLDER_COMMUNITY}W001"
    geometry = (grid.geometry if grid else None) or {
        "type": "Polygon",
        "coordinates": [
            [[120.30, 31.57], [120.31, 31.57], [120.31, 31.58], [120.30, 31.58], [120.30, 31.57]]
        ],
    }
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": code, "name": grid.name if grid else _("示例网格")},
                "geometry": geometry,
            }
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2).encode()
