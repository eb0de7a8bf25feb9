"""A room 3-1, a household code 12-2 or a unit named 3-1 typed into a cell Excel (or WPS) has
not been told is text becomes a date (shown 3月1日), and the file keeps only the date: such a
cell outside a date column is refused naming its row and column, and nothing is imported,
instead of storing 2026-03-01. Date columns still take date cells."""

import io
from datetime import date, datetime, time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from civicgrid.exchange.models import ImportKind, ImportStatus
from civicgrid.exchange.tests.conftest import RunImport
from civicgrid.exchange.tests.files import RESIDENT_HEADER
from civicgrid.party.importers import PartyImportKind
from civicgrid.party.models import PartyOrganisation
from civicgrid.party.services.imports import party_import
from civicgrid.party.tests.conftest import build_party_world
from civicgrid.registry import services as registry
from civicgrid.registry.models import Dwelling, Household, Organisation, Resident
from civicgrid.registry.tests.factories import make_credit_code
from civicgrid.territory.models import Node, Position

pytestmark = pytest.mark.django_db

DWELLING_HEADER = ["区域编码*", "房号*", "使用情况*", "面积（㎡）", "产权人", "房屋编码"]
NODE_HEADER = ["层级*", "编码", "名称*", "上级编码", "网格类型", "经度", "纬度", "地址"]
ORG_HEADER = ["区域编码*", "单位名称*", "单位类型*", "统一社会信用代码", "地址", "联系人", "联系电话"]
POSITION_HEADER = ["区域编码*", "岗位*", "姓名*", "联系电话", "工作单位", "任职开始*", "任职结束"]
# What Excel stores when 3-1, 12-2 or 5-6 is typed into a General cell this year.
THREE_ONE, TWELVE_TWO, FIVE_SIX = datetime(2026, 3, 1), datetime(2026, 12, 2), datetime(2026, 5, 6)


def reason(header: str) -> str:
    return (
        f"{header}是日期或时间格式（Excel 会把 3-1、3:15 这样的内容自动转成日期或时间），"
        "请把该列设为文本格式后重新录入"
    )


def excel_file(rows: list[list[Any]], number_format: str = "m-d") -> bytes:
    """A workbook as Excel saves it: every date cell carries a date format (3-1 shows 3月1日)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, date):
                cell.number_format = number_format
            elif isinstance(cell.value, time):
                cell.number_format = "h:mm"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def resident(grid: str, name: str, household: Any = "", relation: str = "", birth: Any = "") -> list[Any]:
    return [grid, name, "", "", "", birth, "", household, relation, ""]


def test_a_room_number_excel_turned_into_a_date_is_refused(city: Any, run_import: RunImport) -> None:
    building = city.building_a1.code
    rows = [
        DWELLING_HEADER,
        [building, "3-2", "自住", "", "", ""],  # typed into a text cell: kept as typed
        [building, THREE_ONE, "自住", "", "", ""],
        [building, TWELVE_TWO, "出租", "", "", ""],
    ]

    job = run_import(city.bob, ImportKind.DWELLINGS, "房屋.xlsx", excel_file(rows))

    assert job.status != ImportStatus.DONE
    assert job.errors == [
        {"row": 3, "column": "房号", "reason": reason("房号")},
        {"row": 4, "column": "房号", "reason": reason("房号")},
    ]
    assert not Dwelling.objects.exists()  # the good row neither: all or nothing
    del rows[2:]
    assert (
        run_import(city.bob, ImportKind.DWELLINGS, "房屋.xlsx", excel_file(rows)).status == ImportStatus.DONE
    )
    assert list(Dwelling.objects.values_list("room", flat=True)) == ["3-2"]


def test_a_household_code_excel_turned_into_a_date_is_refused(city: Any, run_import: RunImport) -> None:
    grid = city.grid_a1_1.code
    rows = [
        RESIDENT_HEADER,
        resident(grid, "王伟", TWELVE_TWO, "户主", birth=datetime(1980, 5, 4)),
        resident(grid, "李娜", TWELVE_TWO, "配偶", birth=datetime(1982, 7, 9)),
    ]

    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.xlsx", excel_file(rows))

    assert job.errors == [
        {"row": 2, "column": "户编码", "reason": reason("户编码")},
        {"row": 3, "column": "户编码", "reason": reason("户编码")},
    ]
    assert not Resident.objects.exists() and not Household.objects.exists()


def test_a_unit_named_3_1_that_excel_turned_into_a_date_is_refused(city: Any, run_import: RunImport) -> None:
    building = city.building_a1.code
    rows = [
        NODE_HEADER,
        ["单元", "", "3单元", building, "", "", "", ""],
        ["单元", "", THREE_ONE, building, "", "", "", ""],
    ]

    job = run_import(city.sysadmin, ImportKind.NODES, "区域.xlsx", excel_file(rows))

    assert job.errors == [{"row": 3, "column": "名称", "reason": reason("名称")}]
    assert not Node.objects.filter(parent=city.building_a1).exists()
    assert not Node.objects.filter(name__startswith="2026").exists()


def test_an_address_excel_turned_into_a_date_is_refused(city: Any, run_import: RunImport) -> None:
    rows = [ORG_HEADER, [city.grid_a1_1.code, "沙县小吃", "个体商户", "", FIVE_SIX, "", ""]]

    job = run_import(city.bob, ImportKind.ORGANISATIONS, "单位.xlsx", excel_file(rows))

    assert job.errors == [{"row": 2, "column": "地址", "reason": reason("地址")}]
    assert not Organisation.objects.exists()


def test_date_columns_still_take_date_cells(city: Any, run_import: RunImport) -> None:
    grid = city.grid_a1_1.code
    positions = [
        POSITION_HEADER,
        [grid, "专职网格员", "王丽", "", "", datetime(2024, 3, 1), datetime(2025, 12, 2)],
    ]
    residents = [RESIDENT_HEADER, resident(grid, "王伟", "H-3-1", "户主", birth=datetime(1980, 5, 4))]

    job = run_import(city.bob, ImportKind.POSITIONS, "岗位.xlsx", excel_file(positions))
    assert job.status == ImportStatus.DONE, job.errors
    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.xlsx", excel_file(residents, "yyyy-m-d"))
    assert job.status == ImportStatus.DONE, job.errors

    position = Position.objects.get(holder_name="王丽")
    assert (position.start_date, position.end_date) == (date(2024, 3, 1), date(2025, 12, 2))
    wang = Resident.objects.get(name="王伟")
    assert wang.birth_date == date(1980, 5, 4)
    assert wang.household is not None and wang.household.code == "H-3-1"


def test_the_party_imports_refuse_such_a_cell_too_and_take_date_cells_in_date_columns(city: Any) -> None:
    build_party_world(city)
    school = registry.organisation_create(
        actor=city.bob,
        node=city.grid_a1_1,
        name="胜利门小学",
        kind="public_institution",
        credit_code=make_credit_code(303),
    )
    header = ["统一社会信用代码", "单位名称", "党组织名称", "书记", "成立日期"]

    def upload(name: Any) -> SimpleUploadedFile:
        data = excel_file([header, [school.credit_code, "", name, "", datetime(2001, 9, 1)]])
        return SimpleUploadedFile("单位党组织.xlsx", data)

    refused = party_import(actor=city.bob, kind=PartyImportKind.UNITS, upload=upload(THREE_ONE))
    assert [e.as_dict() for e in refused.errors] == [
        {"row": 2, "column": "党组织名称", "reason": reason("党组织名称")}
    ]
    assert not PartyOrganisation.objects.filter(unit=school).exists()

    assert party_import(actor=city.bob, kind=PartyImportKind.UNITS, upload=upload("胜利门小学党支部")).ok
    assert PartyOrganisation.objects.get(unit=school).founded_on == date(2001, 9, 1)


def test_a_room_number_excel_turned_into_a_time_is_refused(city: Any, run_import: RunImport) -> None:
    """3:15 or 1:2 typed into a General cell becomes a time (03:15:00): refused the same way."""
    building = city.building_a1.code
    rows = [
        DWELLING_HEADER,
        [building, "3:16", "自住", "", "", ""],  # typed into a text cell: kept as typed
        [building, time(3, 15), "自住", "", "", ""],
    ]

    job = run_import(city.bob, ImportKind.DWELLINGS, "房屋.xlsx", excel_file(rows))

    assert job.status != ImportStatus.DONE
    assert job.errors == [{"row": 3, "column": "房号", "reason": reason("房号")}]
    assert not Dwelling.objects.exists()
