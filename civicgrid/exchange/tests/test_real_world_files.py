"""Imports accept what real spreadsheets hold: full-width digits, phones typed every which
way, dates as Excel serial numbers, a title row above the header, UTF-16 tab-separated
text, invisible characters, numbers in text columns; and refuse, naming row and column,
what cannot be imported: masked values from our own exports, digits Excel has lost, the
same dwelling, organisation, position or area twice in one file."""

import csv
import io
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import Workbook

from civicgrid.core import crypto
from civicgrid.core.models import AuditLog
from civicgrid.exchange import exports
from civicgrid.exchange.models import ImportKind, ImportStatus
from civicgrid.exchange.tests.conftest import RunImport
from civicgrid.exchange.tests.files import RESIDENT_HEADER, csv_bytes, id_number, xlsx_bytes
from civicgrid.registry.models import Dwelling, Organisation, Resident
from civicgrid.registry.selectors import resident_search
from civicgrid.territory import services as territory
from civicgrid.territory.models import Node, NodeKind, Position

pytestmark = pytest.mark.django_db

FULL_WIDTH = str.maketrans("0123456789X-", "０１２３４５６７８９Ｘ－")
POSITION_HEADER = ["区域编码*", "岗位*", "姓名*", "联系电话", "工作单位", "任职开始*", "任职结束"]
DWELLING_HEADER = ["区域编码*", "房号*", "使用情况*", "面积（㎡）", "产权人", "房屋编码"]
ORG_HEADER = ["区域编码*", "单位名称*", "单位类型*", "统一社会信用代码", "地址", "联系人", "联系电话"]
NODE_HEADER = ["层级*", "编码", "名称*", "上级编码", "网格类型", "经度", "纬度", "地址"]
CREDIT_CODE = "91320213MA1P2Q3R4X"


def resident(grid: str, name: str, id_no: Any = "", phone: Any = "", birth: Any = "") -> list[Any]:
    return [grid, name, id_no, phone, "", birth, "", "", "", ""]


def full_width(text: str) -> str:
    return text.translate(FULL_WIDTH)


def xlsx_with_title(rows: list[list[Any]], title: str, blank_rows: int = 1) -> bytes:
    """A government-style sheet: a merged title row, blank rows, then the header and data."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for _row in range(blank_rows):
        sheet.append([])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def unicode_text(rows: list[list[Any]]) -> bytes:
    """Excel's "Unicode text" export: UTF-16 with a BOM, tab-separated."""
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-16")


# --- 1. full-width digits and letters ------------------------------------------------------


def test_full_width_id_numbers_phones_and_codes_are_stored_as_ascii(city: Any, run_import: RunImport) -> None:
    with_x = next(n for n in map(id_number, range(100, 300)) if n.endswith("X"))
    rows = [
        RESIDENT_HEADER,
        resident(
            full_width(city.grid_a1_1.code), "全角甲", full_width(id_number(1)), full_width("13800138000")
        ),
        resident(city.grid_a1_1.code, "全角乙", full_width(with_x).replace("Ｘ", "ｘ")),
    ]

    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.DONE, job.errors
    first = Resident.objects.get(name="全角甲")
    assert crypto.decrypt(first.id_number_enc) == id_number(1)
    assert first.id_number_hash == crypto.blind_index(id_number(1))
    assert crypto.decrypt(first.phone_enc) == "13800138000" and first.phone_masked == "138****8000"
    assert first.node == city.grid_a1_1
    assert Resident.objects.get(name="全角乙").id_number_hash == crypto.blind_index(with_x)
    assert list(resident_search(city.bob, q="13800138000")) == [first]


def test_a_full_width_credit_code_is_stored_as_ascii(city: Any, run_import: RunImport) -> None:
    code = CREDIT_CODE.translate(
        str.maketrans(
            "0123456789ABCDEFGHJKLMNPQRTUWXY",
            "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ",
        )
    )
    rows = [ORG_HEADER, [city.grid_a1_1.code, "全角公司", "企业", code, "", "", ""]]

    job = run_import(city.bob, ImportKind.ORGANISATIONS, "单位.csv", csv_bytes(rows))

    assert job.status == ImportStatus.DONE, job.errors
    assert Organisation.objects.get(name="全角公司").credit_code == CREDIT_CODE


# --- 2. phone formats ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored", "masked"),
    [
        ("+86 138 0013 8000", "13800138000", "138****8000"),
        ("86-13800138000", "13800138000", "138****8000"),
        ("138-0013-8000", "13800138000", "138****8000"),
        ("138 0013 8000", "13800138000", "138****8000"),
        ("(0851)8888888", "0851-8888888", "0851***8888"),
        ("（0851）8888888", "0851-8888888", "0851***8888"),
        ("0851 88888888", "0851-88888888", "0851****8888"),
        ("08518888888", "0851-8888888", "0851***8888"),
        ("01088888888", "010-88888888", "010****8888"),  # Beijing: a 3-digit area code
    ],
)
def test_phones_typed_every_way_are_stored_in_one_form_and_found_by_it(
    city: Any, run_import: RunImport, typed: str, stored: str, masked: str
) -> None:
    rows = [RESIDENT_HEADER, resident(city.grid_a1_1.code, "电话", "", typed)]

    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.csv", csv_bytes(rows))

    assert job.status == ImportStatus.DONE, job.errors
    person = Resident.objects.get(name="电话")
    assert crypto.decrypt(person.phone_enc) == stored and person.phone_masked == masked
    assert person.phone_hash == crypto.blind_index(stored)
    assert list(resident_search(city.bob, q=stored)) == [person]
    assert list(resident_search(city.bob, q=stored.replace("-", ""))) == [person]


def test_position_and_organisation_phones_are_canonical_too(city: Any, run_import: RunImport) -> None:
    positions = [
        POSITION_HEADER,
        [city.grid_a1_1.code, "专职网格员", "王丽", "+86 139 0000 1111", "", "2024-01-01", ""],
    ]
    organisations = [ORG_HEADER, [city.grid_a1_1.code, "电话公司", "企业", "", "", "", "(0510)12345678"]]

    assert (
        run_import(city.bob, ImportKind.POSITIONS, "p.csv", csv_bytes(positions)).status == ImportStatus.DONE
    )
    assert run_import(city.bob, ImportKind.ORGANISATIONS, "o.csv", csv_bytes(organisations)).status == (
        ImportStatus.DONE
    )

    worker = Position.objects.get(holder_name="王丽")
    assert crypto.decrypt(worker.phone_enc) == "13900001111"
    assert worker.phone_hash == crypto.blind_index("13900001111")
    company = Organisation.objects.get(name="电话公司")
    assert crypto.decrypt(company.contact_phone_enc) == "0510-12345678"
    assert company.contact_phone_hash == crypto.blind_index("051012345678")


# --- 3. dates ------------------------------------------------------------------------------


def test_date_cells_as_serial_numbers_datetimes_and_text_all_read(city: Any, run_import: RunImport) -> None:
    grid = city.grid_a1_1.code
    rows = [
        POSITION_HEADER,
        [grid, "专职网格员", "序列号", "", "", 45292, 45657.75],  # 2024-01-01, 2024-12-31 18:00
        [grid, "专职网格员", "日期时间", "", "", datetime(2024, 1, 1, 9, 30), ""],
        [grid, "专职网格员", "斜杠", "", "", "2024/1/1", "2024/12/31 0:00"],
        [grid, "专职网格员", "点号", "", "", "2024.01.01", "2024-12-31 00:00:00"],
        [grid, "专职网格员", "中文", "", "", "2024年1月1日", full_width("2024年12月31日")],
        [grid, "专职网格员", "数字八位", "", "", 20240101, ""],
    ]

    job = run_import(city.bob, ImportKind.POSITIONS, "岗位.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.DONE, job.errors
    terms = dict(Position.objects.values_list("holder_name", "start_date"))
    assert set(terms.values()) == {date(2024, 1, 1)} and len(terms) == 6
    ends = dict(Position.objects.values_list("holder_name", "end_date"))
    assert ends["序列号"] == ends["斜杠"] == ends["点号"] == ends["中文"] == date(2024, 12, 31)


def test_a_csv_saved_from_a_general_format_date_column_reads_its_serial_numbers(
    city: Any, run_import: RunImport
) -> None:
    rows = [RESIDENT_HEADER, resident(city.grid_a1_1.code, "序列号", "", "", "32874")]  # 1990-01-01

    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.csv", csv_bytes(rows))

    assert job.status == ImportStatus.DONE, job.errors
    assert Resident.objects.get(name="序列号").birth_date == date(1990, 1, 1)


def test_a_year_alone_is_not_taken_for_a_serial_number(city: Any, run_import: RunImport) -> None:
    rows = [RESIDENT_HEADER, resident(city.grid_a1_1.code, "只有年份", "", "", "1990")]

    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.csv", csv_bytes(rows))

    assert job.errors == [
        {
            "row": 2,
            "column": "出生日期",
            "reason": "出生日期应为日期，如 1990-03-05；单独的数字 1990 不是日期",
        }
    ]


def test_a_name_padded_with_an_ideographic_space_is_stored_as_written_without_it(
    city: Any, run_import: RunImport
) -> None:
    rows = [
        RESIDENT_HEADER,
        resident(city.grid_a1_1.code, "王　伟", "", "", "1990-01-02"),
        resident(city.grid_a1_1.code, " 阿依古丽 · 买买提 ", "", "", "1991-01-02"),
        resident(city.grid_a1_1.code, "Anna  Li", "", "", "1992-01-02"),
    ]

    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.csv", csv_bytes(rows))

    assert job.status == ImportStatus.DONE, job.errors
    names = set(
        Resident.objects.filter(birth_date__year__in=[1990, 1991, 1992]).values_list("name", flat=True)
    )
    assert names == {"王伟", "阿依古丽·买买提", "Anna Li"}


# --- 4. a title row above the header -------------------------------------------------------


def test_a_title_row_and_a_blank_row_above_the_header_are_passed_over(
    city: Any, run_import: RunImport
) -> None:
    grid = city.grid_a1_1.code
    rows = [
        RESIDENT_HEADER,
        resident(grid, "标题甲", id_number(1)),
        resident(grid, "标题乙", "", "12345"),
        resident("NOSUCHNODE", "标题丙"),
    ]

    job = run_import(
        city.bob, ImportKind.RESIDENTS, "居民.xlsx", xlsx_with_title(rows, "胜利门社区居民信息表")
    )

    assert job.status == ImportStatus.FAILED
    # Rows as Excel numbers them: title 1, blank 2, header 3, data from 4.
    assert {(e["row"], e["column"]) for e in job.errors} == {(5, "联系电话"), (6, "区域编码")}
    assert not Resident.objects.exists()

    good = xlsx_with_title(rows[:2], "胜利门社区居民信息表", blank_rows=0)
    assert run_import(city.bob, ImportKind.RESIDENTS, "居民.xlsx", good).status == ImportStatus.DONE
    assert Resident.objects.get().name == "标题甲"


def test_a_csv_title_row_counts_and_a_missing_column_is_reported_on_the_header_row(
    city: Any, run_import: RunImport
) -> None:
    rows = [["胜利门社区居民信息表", "", ""], ["姓名", "联系电话", "性别"], ["甲", "", "男"]]

    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.csv", csv_bytes(rows))

    assert job.errors == [{"row": 2, "column": "区域编码", "reason": "缺少必填列，请使用下载的模板"}]


# --- 5. UTF-16 text ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["居民.txt", "居民.csv"])
def test_excel_unicode_text_utf16_tab_separated_imports(city: Any, run_import: RunImport, name: str) -> None:
    grid = city.grid_a1_1.code
    rows = [
        ["胜利门社区居民信息表"],
        RESIDENT_HEADER,
        resident(
            grid,
            "张伟",
            id_number(1),
            "138 1234 5678",
            "",
        ),
        [grid, "王芳", "", "", "女", "1990/5/4", "流动人口", "", "", "独居老人、党员"],
    ]

    job = run_import(city.bob, ImportKind.RESIDENTS, name, unicode_text(rows))

    assert job.status == ImportStatus.DONE, (job.message, job.errors)
    assert Resident.objects.get(name="张伟").phone_hash == crypto.blind_index("13812345678")
    wang = Resident.objects.get(name="王芳")
    assert wang.birth_date == date(1990, 5, 4)
    assert sorted(t.name for t in wang.tags.all()) == ["党员", "独居老人"]


def test_a_gb18030_csv_still_imports(city: Any, run_import: RunImport) -> None:
    rows = [
        RESIDENT_HEADER,
        resident(city.grid_a1_1.code, "㐀字人", "", ""),
    ]  # 㐀 (U+3400) is in GB18030, not in GBK

    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.csv", csv_bytes(rows, encoding="gb18030"))

    assert job.status == ImportStatus.DONE, job.errors
    assert Resident.objects.filter(name="㐀字人").exists()


# --- 6. the same thing twice in one file ---------------------------------------------------


def test_the_same_room_of_one_building_twice_is_refused_naming_both_rows(
    city: Any, run_import: RunImport
) -> None:
    building = city.building_a1.code
    rows = [
        DWELLING_HEADER,
        [building, "1单元301", "自住", "", "", ""],
        [building, "1单元302", "自住", "", "", ""],
        [building, "1单元 301", "出租", "", "", ""],
        [building, "１单元３０２", "出租", "", "", ""],
    ]

    job = run_import(city.bob, ImportKind.DWELLINGS, "房屋.csv", csv_bytes(rows))

    assert job.errors == [
        {"row": 4, "column": "房号", "reason": "与第2行重复（同一楼栋或单元的同一房号）"},
        {"row": 5, "column": "房号", "reason": "与第3行重复（同一楼栋或单元的同一房号）"},
    ]
    assert not Dwelling.objects.exists()


def test_one_room_number_in_two_buildings_is_two_dwellings(city: Any, run_import: RunImport) -> None:
    other = territory.node_create(
        actor=city.sysadmin, kind=NodeKind.BUILDING, name="胜利门2号楼", parent=city.grid_a1_2
    )
    rows = [
        DWELLING_HEADER,
        [city.building_a1.code, "301", "自住", "", "", ""],
        [other.code, "301", "自住", "", "", ""],
    ]

    job = run_import(city.bob, ImportKind.DWELLINGS, "房屋.csv", csv_bytes(rows))

    assert job.status == ImportStatus.DONE, job.errors
    assert Dwelling.objects.count() == 2


def test_an_organisation_without_credit_code_twice_at_one_address_is_refused(
    city: Any, run_import: RunImport
) -> None:
    grid = city.grid_a1_1.code
    rows = [
        ORG_HEADER,
        [grid, "沙县小吃", "个体商户", "", "胜利门路1号", "", ""],
        [grid, "沙县小吃", "个体商户", "", "胜利门路9号", "", ""],  # a second shop of the chain
        [grid, "沙县小吃 ", "个体商户", "", "胜利门路1号", "", ""],
    ]

    job = run_import(city.bob, ImportKind.ORGANISATIONS, "单位.csv", csv_bytes(rows))

    assert job.errors == [
        {
            "row": 4,
            "column": "单位名称",
            "reason": "与第2行重复（同一区域、同名同地址，且都未填统一社会信用代码）",
        }
    ]
    assert not Organisation.objects.exists()
    del rows[3]
    assert (
        run_import(city.bob, ImportKind.ORGANISATIONS, "单位.csv", csv_bytes(rows)).status
        == ImportStatus.DONE
    )
    assert Organisation.objects.filter(name="沙县小吃").count() == 2


def test_one_person_in_one_post_twice_over_overlapping_terms_is_refused(
    city: Any, run_import: RunImport
) -> None:
    grid = city.grid_a1_1.code
    rows = [
        POSITION_HEADER,
        [grid, "专职网格员", "王丽", "", "", "2020-01-01", "2021-12-31"],
        [grid, "专职网格员", "王丽", "", "", "2023-01-01", ""],  # back in the post later: fine
        [grid, "网格长", "王丽", "", "", "2023-01-01", ""],  # a second post: fine
        [grid, "专职网格员", "王丽", "", "", "2024-01-01", ""],
    ]

    job = run_import(city.bob, ImportKind.POSITIONS, "岗位.csv", csv_bytes(rows))

    assert job.errors == [
        {"row": 5, "column": "姓名", "reason": "与第3行重复（同一区域、同一岗位、同一人，任职时间重叠）"}
    ]
    assert not Position.objects.filter(holder_name="王丽").exists()


def test_two_areas_of_one_name_under_one_parent_are_refused(city: Any, run_import: RunImport) -> None:
    a1, b1 = city.comm_a1.code, city.comm_b1.code
    rows = [
        NODE_HEADER,
        ["网格", "", "新建网格", a1, "", "", "", ""],
        ["网格", "", "新建网格", b1, "", "", "", ""],  # another community: fine
        ["网格", "", "新建网格", a1, "", "", "", ""],
    ]

    job = run_import(city.sysadmin, ImportKind.NODES, "区域.csv", csv_bytes(rows))

    assert job.errors == [{"row": 4, "column": "名称", "reason": "与第2行重复（同一上级下的同名区域）"}]
    assert not Node.objects.filter(name="新建网格").exists()


# --- 7. re-importing an export -------------------------------------------------------------


def test_re_importing_an_exported_list_says_which_cells_are_masked(city: Any, run_import: RunImport) -> None:
    rows = [RESIDENT_HEADER, resident(city.grid_a1_1.code, "张伟", id_number(1), "13812345678")]
    assert run_import(city.bob, ImportKind.RESIDENTS, "居民.csv", csv_bytes(rows)).status == ImportStatus.DONE
    exported = exports.residents_xlsx(city.bob, Resident.objects.all()).content
    Resident.objects.all().delete()
    audit_rows = AuditLog.objects.count()

    job = run_import(city.bob, ImportKind.RESIDENTS, "实有人口.xlsx", exported)

    assert job.status == ImportStatus.FAILED
    assert job.errors == [
        {
            "row": 2,
            "column": "身份证号",
            "reason": "身份证号已脱敏（带 * 号，是导出文件中的遮挡写法），无法导入；请填写完整号码或留空",
        },
        {
            "row": 2,
            "column": "联系电话",
            "reason": "联系电话已脱敏（带 * 号，是导出文件中的遮挡写法），无法导入；请填写完整号码或留空",
        },
    ]
    assert not Resident.objects.exists() and AuditLog.objects.count() == audit_rows


# --- 8. spaces, invisible characters, numbers in text columns ------------------------------


def test_invisible_characters_and_no_break_spaces_are_dropped(city: Any, run_import: RunImport) -> None:
    rows = [
        RESIDENT_HEADER,
        resident(
            f"{city.grid_a1_1.code}\u200b",
            "\u00a0张\u200b伟\u3000",
            f"\ufeff{id_number(1)} ",
            "138\u00a00013\u00a08000",
        ),
    ]

    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.DONE, job.errors
    person = Resident.objects.get()
    assert person.name == "张伟" and person.node == city.grid_a1_1
    assert person.id_number_hash == crypto.blind_index(id_number(1))
    assert crypto.decrypt(person.phone_enc) == "13800138000"


def test_phones_in_number_cells_keep_every_digit_and_a_landline_its_leading_zero(
    city: Any, run_import: RunImport
) -> None:
    grid = city.grid_a1_1.code
    rows = [
        RESIDENT_HEADER,
        resident(grid, "整数", "", 13800138000),
        resident(grid, "浮点", "", 1.3800138001e10),
        resident(grid, "座机", "", 5108888888),  # 0510-8888888 typed into a number cell
    ]

    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.DONE, job.errors
    phones = {r.name: crypto.decrypt(r.phone_enc) for r in Resident.objects.all()}
    assert phones == {"整数": "13800138000", "浮点": "13800138001", "座机": "0510-8888888"}


def test_an_id_number_in_scientific_notation_in_a_csv_is_explained(city: Any, run_import: RunImport) -> None:
    rows = [RESIDENT_HEADER, resident(city.grid_a1_1.code, "科学计数", "3.20213E+17", "1.38001E+10")]

    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.csv", csv_bytes(rows))

    lost = "在 Excel 中被存成了数字，后几位已丢失；请把该列设为文本格式后重新录入"
    assert job.errors == [
        {"row": 2, "column": "身份证号", "reason": f"身份证号{lost}"},
        {"row": 2, "column": "联系电话", "reason": f"联系电话{lost}"},
    ]
