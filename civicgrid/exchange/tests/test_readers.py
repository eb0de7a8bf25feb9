"""Reading CSV files: a quote that never closes and a NUL character are errors of their row
and column, and a file with either imports nothing; a real line break in a quoted cell reads."""

import csv
from typing import Any

import pytest

from civicgrid.core.models import AuditLog
from civicgrid.exchange.columns import ORGANISATION_COLUMNS
from civicgrid.exchange.models import ImportKind, ImportStatus
from civicgrid.exchange.readers import read_tabular
from civicgrid.exchange.tests.conftest import RunImport
from civicgrid.exchange.tests.files import csv_bytes
from civicgrid.registry.models import Organisation

pytestmark = pytest.mark.django_db

HEADER = "区域编码,单位名称,单位类型,地址"
QUOTE_HINT = '请删去多余的引号（内容本身的引号请写成两个：""）'


def lines_bytes(*lines: str) -> bytes:
    return "\n".join(lines).encode("utf-8")


def shop(grid: str, name: str, address: str) -> str:
    return f"{grid},{name},个体商户,{address}"


def test_a_stray_quote_running_to_the_end_of_the_file_imports_nothing(
    city: Any, run_import: RunImport
) -> None:
    grid = city.grid_a1_1.code
    data = lines_bytes(
        HEADER,
        shop(grid, "引号测试甲店", '"胜利门路1号'),
        shop(grid, "引号测试乙店", "胜利门路2号"),
        shop(grid, "引号测试丙店", "胜利门路3号"),
        "",
    )

    job = run_import(city.bob, ImportKind.ORGANISATIONS, "单位.csv", data)

    assert job.status == ImportStatus.FAILED
    assert job.errors == [
        {
            "row": 2,
            "column": "地址",
            "reason": "引号未闭合：这一格的引号直到文件末尾都没有配对，其后2行都被并入了这一格；"
            + QUOTE_HINT,
        }
    ]
    assert not Organisation.objects.exists()
    assert not AuditLog.objects.filter(verb="exchange.import_completed").exists()


def test_a_stray_quote_closed_rows_later_is_found_by_the_rows_it_swallowed(
    city: Any, run_import: RunImport
) -> None:
    grid = city.grid_a1_1.code
    data = lines_bytes(
        HEADER,
        shop(grid, "甲店", '"胜利门路1号'),
        shop(grid, "乙店", "胜利门路2号"),
        shop(grid, "丙店", '"胜利门路"3号'),  # this quote ends the one of row 2
        shop(grid, "丁店", "胜利门路4号"),
    )

    job = run_import(city.bob, ImportKind.ORGANISATIONS, "单位.csv", data)

    assert job.status == ImportStatus.FAILED
    assert job.errors == [
        {
            "row": 2,
            "column": "地址",
            "reason": f"引号未闭合：这一格的引号把其后2行都并入了这一格；{QUOTE_HINT}",
        }
    ]
    assert not Organisation.objects.exists()


def test_quoted_cells_with_real_line_breaks_import_as_they_are(city: Any, run_import: RunImport) -> None:
    grid = city.grid_a1_1.code
    rows = [
        HEADER.split(","),
        [grid, "甲店", "个体商户", '胜利门路1号\n2楼, 201室，"老字号"'],
        [grid, "乙店", "个体商户", "胜利门路2号"],
        [grid, "丙店", "个体商户", "胜利门路3号\r\n后门"],  # the last row, its quote closes
    ]
    data = csv_bytes(rows)

    job = run_import(city.bob, ImportKind.ORGANISATIONS, "单位.csv", data)

    assert job.status == ImportStatus.DONE, job.errors
    assert Organisation.objects.get(name="甲店").address == '胜利门路1号\n2楼, 201室，"老字号"'
    assert Organisation.objects.get(name="丙店").address == "胜利门路3号\r\n后门"
    no_final_newline = read_tabular("单位.csv", data.rstrip(b"\r\n"), ORGANISATION_COLUMNS, 10)
    assert [r.problems for r in no_final_newline.rows] == [[], [], []]


def test_a_quote_left_open_on_the_last_line_is_an_error_too() -> None:
    data = lines_bytes(HEADER, shop("G1", "甲店", "胜利门路1号"), shop("G1", "乙店", '"胜利门路2号'))

    table = read_tabular("单位.csv", data, ORGANISATION_COLUMNS, 10)

    assert [(r.number, r.problems) for r in table.rows] == [
        (2, []),
        (3, [("address", f"引号未闭合：这一格的引号直到文件末尾都没有配对；{QUOTE_HINT}")]),
    ]


def test_a_stray_quote_in_a_column_no_importer_reads_names_that_column(
    city: Any, run_import: RunImport
) -> None:
    grid = city.grid_a1_1.code
    data = lines_bytes(
        HEADER + ",备注",
        f'{shop(grid, "甲店", "胜利门路1号")},"见上',
        f"{shop(grid, '乙店', '胜利门路2号')},",
    )

    job = run_import(city.bob, ImportKind.ORGANISATIONS, "单位.csv", data)

    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "备注")]
    assert not Organisation.objects.exists()


def test_a_stray_quote_swallowing_more_than_a_cell_can_hold_names_its_row(
    city: Any, run_import: RunImport
) -> None:
    grid = city.grid_a1_1.code
    rows = [shop(grid, f"店{n}", f"胜利门路{n}号") for n in range(3, csv.field_size_limit() // 30)]
    data = lines_bytes(HEADER, shop(grid, "甲店", '"胜利门路1号'), *rows)

    job = run_import(city.bob, ImportKind.ORGANISATIONS, "单位.csv", data)

    assert job.status == ImportStatus.FAILED and job.errors == []
    assert job.message.startswith("CSV 文件第2行：引号未闭合"), job.message
    assert not Organisation.objects.exists()


def test_a_nul_character_in_a_cell_is_refused_with_its_row_and_column(
    city: Any, run_import: RunImport
) -> None:
    grid = city.grid_a1_1.code
    data = lines_bytes(
        HEADER,
        shop(grid, "NUL测试店", "胜利门路\x001号"),
        shop(f"{grid}\x00", "正常店", "胜利门路2号"),  # a code with a NUL is never looked up with it
        "",
    )

    job = run_import(city.bob, ImportKind.ORGANISATIONS, "单位.csv", data)

    assert job.status == ImportStatus.FAILED
    assert [(e["row"], e["column"], e["reason"]) for e in job.errors] == [
        (2, "地址", "地址不能包含空字符（NUL）"),
        (3, "区域编码", "区域编码不能包含空字符（NUL）"),
    ]
    assert not Organisation.objects.exists()


def test_a_single_feature_reads_as_a_collection_with_its_declared_system() -> None:
    """The shared fence file is one Feature whose properties say GCJ-02: the reader passes
    the declaration on, and the importer converts (territory.geometry)."""
    import json

    from civicgrid.exchange.readers import read_geojson

    feature = {
        "type": "Feature",
        "properties": {"code": "320213", "coordinate_system": "GCJ-02 (not WGS84)"},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[120.3, 31.5], [120.31, 31.5], [120.31, 31.51], [120.3, 31.5]]],
        },
    }
    table = read_geojson("fence.geojson", json.dumps(feature).encode(), max_rows=10)
    [row] = table.rows
    assert row.values["code"] == "320213" and "GCJ-02" in row.values["crs"]


def test_a_closed_multi_line_cell_with_commas_in_a_narrow_file_is_not_a_stray_quote() -> None:
    from civicgrid.exchange.readers import _csv_rows

    rows = list(_csv_rows('a,b,c\n"第一行\n第二行, a, b",x,y\n'.encode()))
    assert rows[1] == (["第一行\n第二行, a, b", "x", "y"], None)
