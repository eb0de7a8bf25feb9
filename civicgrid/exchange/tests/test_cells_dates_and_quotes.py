"""Cells as other systems leave them: a year, an age or a small number in a date column is
refused rather than read as a day of 1900-1905 (Excel's serial numbers); ID numbers and
phones behind an apostrophe or ="…" (kept as text for Excel) are read; names padded with
spaces between Chinese characters are normalised (``cells.person_name``)."""

from datetime import date, datetime
from typing import Any

import pytest

from civicgrid.core import crypto
from civicgrid.exchange.cells import BareNumber, FromNumber, date_reason, parse_date, person_name, unquoted
from civicgrid.exchange.models import ImportKind, ImportStatus
from civicgrid.exchange.tests.conftest import RunImport
from civicgrid.exchange.tests.files import RESIDENT_HEADER, csv_bytes, id_number, xlsx_bytes
from civicgrid.registry.models import Resident
from civicgrid.registry.services import resident_validate
from civicgrid.territory.models import Position

POSITION_HEADER = ["区域编码*", "岗位*", "姓名*", "联系电话", "工作单位", "任职开始*", "任职结束"]


def resident(grid: str, name: str, id_no: Any = "", phone: Any = "", birth: Any = "") -> list[Any]:
    return [grid, name, id_no, phone, "", birth, "", "", "", ""]


# --- parse_date ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [65, 1958, 2019, 1, 9999, 100000, 1958.0, FromNumber("1958"), FromNumber("65")]
)
def test_a_number_that_is_not_five_digits_is_no_date(value: Any) -> None:
    with pytest.raises(BareNumber):
        parse_date(value)


@pytest.mark.parametrize("value", [datetime(1900, 1, 1), date(1900, 2, 28), datetime(1900, 2, 28, 12)])
def test_a_date_cell_before_1900_03_01_is_a_small_number_formatted_as_a_date(value: Any) -> None:
    with pytest.raises(BareNumber):
        parse_date(value)


@pytest.mark.parametrize(
    ("value", "day"),
    [
        (10000, date(1927, 5, 18)),
        (45292, date(2024, 1, 1)),
        (FromNumber("32874"), date(1990, 1, 1)),
        ("32874", date(1990, 1, 1)),
        (99999, date(2173, 10, 13)),
        (datetime(1900, 3, 1), date(1900, 3, 1)),
        (FromNumber("19580301"), date(1958, 3, 1)),
        ("1958-03-01", date(1958, 3, 1)),
    ],
)
def test_five_digit_serials_date_cells_and_text_dates_still_read(value: Any, day: date) -> None:
    assert parse_date(value) == day


def test_the_reason_names_the_column_and_the_number() -> None:
    assert (
        date_reason("出生日期", FromNumber("1958"))
        == "出生日期应为日期，如 1990-03-05；单独的数字 1958 不是日期"
    )
    assert date_reason("任职开始", datetime(1900, 1, 1)).startswith("任职开始应为日期，如 1990-03-05；")
    assert date_reason("出生日期", "明年") == "出生日期应为日期，如 1990-03-05"


# --- imports -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("birth", [65, 1958, datetime(1900, 1, 1)])
def test_a_year_or_an_age_in_a_birth_date_number_cell_is_refused(
    city: Any, run_import: RunImport, birth: Any
) -> None:
    rows = [RESIDENT_HEADER, resident(city.grid_a1_1.code, "老人", "", "", birth)]

    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.FAILED
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "出生日期")]
    assert not Resident.objects.exists()


@pytest.mark.django_db
def test_a_year_in_a_position_start_number_cell_is_refused(city: Any, run_import: RunImport) -> None:
    rows = [POSITION_HEADER, [city.grid_a1_1.code, "专职网格员", "王丽", "", "", 2019, ""]]

    job = run_import(city.bob, ImportKind.POSITIONS, "岗位.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.FAILED
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "任职开始")]
    assert not Position.objects.filter(holder_name="王丽").exists()


@pytest.mark.django_db
def test_a_five_digit_serial_birth_date_still_imports(city: Any, run_import: RunImport) -> None:
    rows = [RESIDENT_HEADER, resident(city.grid_a1_1.code, "序列号", "", "", 21245)]  # 1958-03-01

    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.DONE, job.errors
    assert Resident.objects.get(name="序列号").birth_date == date(1958, 3, 1)


def test_a_birth_date_before_1900_is_refused_by_the_service() -> None:
    errors = resident_validate({"name": "王伟", "birth_date": date(1899, 12, 31)})
    assert list(errors) == ["birth_date"] and "1900-01-01" in errors["birth_date"][0]
    assert resident_validate({"name": "王伟", "birth_date": date(1900, 1, 1)}) == {}


# --- identifiers quoted for Excel ----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "text"),
    [("'320213", "320213"), ('="320213"', "320213"), ('= "0510-8888888"', "0510-8888888"), ("＇138", "138")],
)
def test_an_apostrophe_or_a_text_formula_around_an_identifier_is_taken_off(raw: str, text: str) -> None:
    assert unquoted(raw) == text


@pytest.mark.django_db
def test_quote_prefixed_id_numbers_and_phones_from_other_systems_import(
    city: Any, run_import: RunImport
) -> None:
    rows = [
        RESIDENT_HEADER,
        resident(city.grid_a1_1.code, "撇号", "'" + id_number(1), "'13800138000"),
        resident(city.grid_a1_1.code, "公式", f'="{id_number(2)}"', '="0510-88888888"'),
    ]

    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.csv", csv_bytes(rows))

    assert job.status == ImportStatus.DONE, job.errors
    first, second = Resident.objects.get(name="撇号"), Resident.objects.get(name="公式")
    assert first.id_number_hash == crypto.blind_index(id_number(1))
    assert crypto.decrypt(first.phone_enc) == "13800138000"
    assert second.id_number_hash == crypto.blind_index(id_number(2))
    assert crypto.decrypt(second.phone_enc) == "0510-88888888"


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("王\u3000伟", "王伟"),
        ("王  伟", "王伟"),
        ("\u3000欧阳　娜娜\u3000", "欧阳娜娜"),
        ("阿依古丽 · 买买提", "阿依古丽·买买提"),
        ("Anna  Li", "Anna Li"),
        ("李 Anna", "李 Anna"),
        ("𠮷 伟", "𠮷伟"),
    ],
)
def test_a_name_padded_with_spaces_between_chinese_characters_is_normalised(raw: str, name: str) -> None:
    assert person_name(raw) == name
