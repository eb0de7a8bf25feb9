"""Residents without an ID number are checked for duplicates too: by name and phone, or by name,
birth date and household (or node), within the file and against the community's registry."""

from datetime import date
from typing import Any

import pytest

from civicgrid.exchange.models import ImportKind, ImportStatus
from civicgrid.exchange.tests.conftest import RunImport
from civicgrid.exchange.tests.files import RESIDENT_HEADER, id_number, xlsx_bytes
from civicgrid.registry import services as registry
from civicgrid.registry.models import Resident

pytestmark = pytest.mark.django_db


def liu(grid: str, phone: str = "0510-12345678", born: Any = "", household: str = "") -> list[Any]:
    return [grid, "刘洋", "", phone, "男", born, "流动人口", household, "", ""]


def test_the_same_row_twice_in_one_file_is_refused_naming_both_rows(city: Any, run_import: RunImport) -> None:
    grid = city.grid_a1_1.code
    rows = [RESIDENT_HEADER, liu(grid), [grid, "王芳", "", "", "女", "", "", "", "", ""], liu(grid)]

    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.FAILED
    assert job.errors == [
        {"row": 4, "column": "姓名", "reason": "与第2行重复（姓名和联系电话相同，且都未填身份证号）"}
    ]
    assert not Resident.objects.exists()


def test_name_birth_date_and_household_tell_a_repeat_without_a_phone(
    city: Any, run_import: RunImport
) -> None:
    grid = city.grid_a1_1.code
    born = date(1990, 5, 4)
    rows = [
        RESIDENT_HEADER,
        liu(grid, phone="", born=born, household="HH-1"),
        liu(grid, phone="", born=born, household="HH-2"),  # another household: another person
        liu(grid, phone="", born=born, household="HH-1"),
    ]

    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.FAILED
    assert [(e["row"], e["reason"]) for e in job.errors] == [
        (4, "与第2行重复（姓名、出生日期和户编码相同，且都未填身份证号）")
    ]


def test_uploading_the_same_file_twice_is_refused_the_second_time(city: Any, run_import: RunImport) -> None:
    grid = city.grid_a1_1.code
    data = xlsx_bytes([RESIDENT_HEADER, liu(grid), liu(grid, phone="", born=date(1990, 5, 4))])
    assert run_import(city.bob, ImportKind.RESIDENTS, "居民.xlsx", data).status == ImportStatus.DONE

    again = run_import(city.bob, ImportKind.RESIDENTS, "居民.xlsx", data)

    assert again.status == ImportStatus.FAILED
    assert [(e["row"], e["column"]) for e in again.errors] == [(2, "姓名"), (3, "姓名")]
    assert (
        "与已登记的居民重复（姓名和联系电话相同）；如确为不同的人，请填写身份证号"
        in again.errors[0]["reason"]
    )
    assert "姓名、出生日期和所属区域相同" in again.errors[1]["reason"]
    assert Resident.objects.count() == 2


def test_a_namesake_with_the_same_phone_elsewhere_or_with_an_id_number_is_not_a_repeat(
    city: Any, run_import: RunImport
) -> None:
    registry.resident_create(actor=city.carol, node=city.grid_b1_1, name="刘洋", phone="0510-12345678")
    # the same name and phone in another community, and a row with an ID number: both import
    rows = [
        RESIDENT_HEADER,
        liu(city.grid_a1_1.code),
        [city.grid_a1_2.code, "刘洋", id_number(7), "0510-12345678", "", "", "", "", "", ""],
    ]
    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.DONE, job.errors
    assert Resident.objects.filter(name="刘洋").count() == 3


def test_a_registered_resident_of_the_same_community_is_found_in_another_grid(
    city: Any, run_import: RunImport
) -> None:
    registry.resident_create(actor=city.bob, node=city.grid_a1_2, name="刘洋", phone="051012345678")

    job = run_import(
        city.bob, ImportKind.RESIDENTS, "居民.xlsx", xlsx_bytes([RESIDENT_HEADER, liu(city.grid_a1_1.code)])
    )

    assert job.status == ImportStatus.FAILED
    assert "与已登记的居民重复" in job.errors[0]["reason"]
    assert Resident.objects.count() == 1
