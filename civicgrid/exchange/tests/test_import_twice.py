"""The same file imported twice: rows repeating a registered record are refused, naming them.

An office re-uploading yesterday's 岗位任职, 区域节点 or 房屋 file (without the codes the
system generated) would otherwise double every post, area and dwelling. A repeat of a
registered record is refused as a repeat inside one file is; a row naming a registered
code updates that record (test_upd_reimport).
"""

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.exchange.importers.territory import PositionImporter
from civicgrid.exchange.models import ImportKind, ImportStatus
from civicgrid.exchange.readers import Row
from civicgrid.exchange.tests.conftest import RunImport
from civicgrid.exchange.tests.files import csv_bytes
from civicgrid.registry import services as registry
from civicgrid.registry.models import Dwelling, DwellingUse
from civicgrid.territory.models import Node, Position, Post

pytestmark = pytest.mark.django_db

POSITION_HEADER = ["区域编码*", "岗位*", "姓名*", "联系电话", "工作单位", "任职开始*", "任职结束"]
NODE_HEADER = ["层级*", "编码", "名称*", "上级编码", "网格类型", "经度", "纬度", "地址"]
DWELLING_HEADER = ["区域编码*", "房号*", "使用情况*", "面积（㎡）", "产权人", "房屋编码"]


def errors_of(job: Any) -> set[tuple[int, str, str]]:
    return {(e["row"], e["column"], e["reason"]) for e in job.errors}


# --- positions --------------------------------------------------------------------------------


def test_a_positions_file_imported_twice_is_refused_the_second_time(city: Any, run_import: RunImport) -> None:
    grid = city.grid_a1_1.code
    rows = [
        POSITION_HEADER,
        [grid, "专职网格员", "王丽", "13900001111", "", "2024-01-01", ""],
        [grid, "网格长", "李明", "", "", "2023-01-01", "2024-12-31"],
    ]
    first = run_import(city.bob, ImportKind.POSITIONS, "岗位.csv", csv_bytes(rows))
    assert first.status == ImportStatus.DONE, first.errors

    again = [
        *rows,
        [grid, "网格长", "李明", "", "", "2025-01-01", ""],  # the same post again later: a new term
        [grid, "兼职网格员", "王丽", "", "", "2024-06-01", ""],  # another post of the same person
    ]
    second = run_import(city.bob, ImportKind.POSITIONS, "岗位.csv", csv_bytes(again))

    assert second.status == ImportStatus.FAILED
    assert errors_of(second) == {
        (
            2,
            "姓名",
            "与已登记的任职重复（同一区域、同一岗位、同一人，任职时间重叠：2024-01-01 至 今）；"
            "请从文件中删去此行，如需修改请在区域页面操作",
        ),
        (
            3,
            "姓名",
            "与已登记的任职重复（同一区域、同一岗位、同一人，任职时间重叠：2023-01-01 至 2024-12-31）；"
            "请从文件中删去此行，如需修改请在区域页面操作",
        ),
    }
    assert Position.objects.count() == 2
    assert set(Position.objects.values_list("holder_name", "post")) == {
        ("王丽", Post.GRID_WORKER_FULLTIME),
        ("李明", Post.GRID_LEADER),
    }


def test_registered_positions_are_read_once_for_the_whole_file(city: Any) -> None:
    rows = [
        Row(
            number,
            {
                "node_code": city.grid_a1_1.code,
                "post": "专职网格员",
                "holder_name": f"人{number}",
                "start_date": date(2024, 1, 1),
            },
        )
        for number in range(2, 32)
    ]
    PositionImporter(city.bob).validate(rows[:1], lambda done: None)  # warms the caches
    with CaptureQueriesContext(connection) as few:
        assert PositionImporter(city.bob).validate(rows[:3], lambda done: None) == []
    with CaptureQueriesContext(connection) as many:
        assert PositionImporter(city.bob).validate(rows, lambda done: None) == []
    assert len(many) == len(few)


# --- nodes ------------------------------------------------------------------------------------


def test_a_nodes_file_imported_twice_makes_no_second_area_of_the_same_name(
    city: Any, run_import: RunImport
) -> None:
    a1 = city.comm_a1.code
    rows = [NODE_HEADER, ["网格", "", "胜利门九网格", a1, "", "", "", ""]]
    first = run_import(city.bob, ImportKind.NODES, "区域.csv", csv_bytes(rows))
    assert first.status == ImportStatus.DONE, first.errors
    made = Node.objects.get(name="胜利门九网格")

    second = run_import(city.bob, ImportKind.NODES, "区域.csv", csv_bytes(rows))

    assert second.status == ImportStatus.FAILED
    assert errors_of(second) == {
        (
            2,
            "名称",
            f"上级区域下已有同名区域 胜利门九网格（编码 {made.code}）；"
            f"如要修改它，请在编码列填写 {made.code}，否则请改名或从文件中删去此行",
        )
    }
    assert Node.objects.filter(name="胜利门九网格").count() == 1


def test_a_row_naming_the_registered_code_updates_that_area(city: Any, run_import: RunImport) -> None:
    grid = city.grid_a1_1
    rows = [
        NODE_HEADER,
        ["网格", grid.code, grid.name, city.comm_a1.code, "", "", "", "胜利门路1号"],
        ["网格", "", grid.name, city.comm_b1.code, "", "", "", ""],  # another parent: allowed
    ]
    job = run_import(city.sysadmin, ImportKind.NODES, "区域.csv", csv_bytes(rows))

    assert job.status == ImportStatus.DONE, job.errors
    grid.refresh_from_db()
    assert grid.address == "胜利门路1号"
    assert Node.objects.filter(name=grid.name).count() == 2


# --- dwellings --------------------------------------------------------------------------------


def test_dwellings_without_codes_uploaded_again_are_refused(city: Any, run_import: RunImport) -> None:
    building = city.building_a1.code
    rows = [
        DWELLING_HEADER,
        [building, "1单元301", "自住", "", "", ""],
        [building, "1单元302", "出租", "", "", ""],
    ]
    first = run_import(city.bob, ImportKind.DWELLINGS, "房屋.csv", csv_bytes(rows))
    assert first.status == ImportStatus.DONE, first.errors
    code = Dwelling.objects.get(room="1单元301").code

    again = [*rows, [building, "1单元303", "空置", "", "", ""]]
    again[2][5] = Dwelling.objects.get(room="1单元302").code  # named by its code: an update
    again[2][2] = "空置"
    second = run_import(city.bob, ImportKind.DWELLINGS, "房屋.csv", csv_bytes(again))

    assert second.status == ImportStatus.FAILED
    assert errors_of(second) == {
        (
            2,
            "房号",
            f"该楼栋或单元的房号 1单元301 已登记（房屋编码 {code}）；如要修改这套房屋，"
            f"请在房屋编码列填写 {code}，否则请从文件中删去此行",
        )
    }
    assert Dwelling.objects.count() == 2
    assert Dwelling.objects.get(room="1单元302").use == DwellingUse.RENTED


def test_the_same_room_in_another_building_is_another_dwelling(city: Any, run_import: RunImport) -> None:
    registry.dwelling_create(actor=city.carol, node=city.building_b1, room="101", use=DwellingUse.VACANT)
    rows = [DWELLING_HEADER, [city.building_a1.code, "101", "自住", "", "", ""]]
    job = run_import(city.bob, ImportKind.DWELLINGS, "房屋.csv", csv_bytes(rows))
    assert job.status == ImportStatus.DONE, job.errors
    assert Dwelling.objects.filter(room="101").count() == 2
