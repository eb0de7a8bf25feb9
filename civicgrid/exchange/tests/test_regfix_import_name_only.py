"""A resident row with a name alone (no ID number, phone or birth date) tells nobody apart: it
is refused when another row of the file has that name at the same place, or when a resident of
that name is registered there; uploading such a file twice no longer registers them twice.
The import stays all-or-nothing."""

from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from civicgrid.exchange.models import ImportJob, ImportKind, ImportStatus
from civicgrid.exchange.tests.conftest import RunImport
from civicgrid.exchange.tests.files import RESIDENT_HEADER, csv_bytes, id_number, xlsx_bytes
from civicgrid.registry import services as registry
from civicgrid.registry.models import Resident

pytestmark = pytest.mark.django_db

WHY = "（姓名和所属区域相同，本行未填身份证号和联系电话）；如确为不同的人，请填写身份证号或联系电话"
ALONE_IN_FILE = "与第{row}行重复" + WHY
ALONE_REGISTERED = "与已登记的居民重复" + WHY


def named(grid: str, name: str = "测试甲", household: str = "") -> list[Any]:
    return [grid, name, "", "", "", "", "", household, "", ""]


def test_a_name_alone_uploaded_twice_through_the_page_is_refused_the_second_time(
    client: Client, city: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(city.bob)
    data = csv_bytes([RESIDENT_HEADER[:2], [city.grid_a1_1.code, "测试甲"]])
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post(
                "/exchange/imports/upload/",
                {"kind": "residents", "file": SimpleUploadedFile("居民.csv", data)},
            )
        assert answer.status_code == 302

    first, second = ImportJob.objects.order_by("pk")
    assert first.status == ImportStatus.DONE
    assert second.status == ImportStatus.FAILED
    assert second.errors == [{"row": 2, "column": "姓名", "reason": ALONE_REGISTERED}]
    assert Resident.objects.filter(name="测试甲").count() == 1
    page = client.get(f"/exchange/imports/{second.pk}/").content.decode()
    assert "与已登记的居民重复" in page


def test_the_same_name_alone_twice_in_one_file_is_refused_and_nothing_is_imported(
    city: Any, run_import: RunImport
) -> None:
    grid = city.grid_a1_1.code
    rows = [
        RESIDENT_HEADER,
        named(grid),
        named(grid, "王芳"),
        named(grid),
        named(city.grid_a1_2.code),
        # a phone or a birth date tells the namesake apart: not refused
        [grid, "李娜", "", "0510-12345678", "", "", "", "", "", ""],
        [grid, "李娜", "", "0510-87654321", "", "", "", "", "", ""],
        [grid, "李娜", "", "", "", date(1990, 5, 4), "", "", "", ""],
    ]

    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.FAILED
    # the namesake in another grid (row 5) is another person; rows 6–8 are told apart by a
    # phone or a birth date
    assert job.errors == [{"row": 4, "column": "姓名", "reason": ALONE_IN_FILE.format(row=2)}]
    assert not Resident.objects.exists()


def test_a_name_alone_next_to_a_row_of_the_same_name_with_more_is_refused_naming_it(
    city: Any, run_import: RunImport
) -> None:
    grid = city.grid_a1_1.code
    with_id = [grid, "测试甲", id_number(3), "", "", "", "", "", "", ""]
    rows = [RESIDENT_HEADER, named(grid), with_id]

    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.FAILED
    assert [(e["row"], e["column"], e["reason"]) for e in job.errors] == [
        (2, "姓名", ALONE_IN_FILE.format(row=3))
    ]
    assert not Resident.objects.exists()


def test_households_tell_namesakes_apart_and_a_registered_one_of_the_household_is_found(
    city: Any, run_import: RunImport
) -> None:
    grid = city.grid_a1_1.code
    rows = [RESIDENT_HEADER, named(grid, household="HH-1"), named(grid, household="HH-2")]
    assert (
        run_import(city.bob, ImportKind.RESIDENTS, "居民.xlsx", xlsx_bytes(rows)).status == ImportStatus.DONE
    )

    again = run_import(
        city.bob,
        ImportKind.RESIDENTS,
        "居民.xlsx",
        xlsx_bytes([RESIDENT_HEADER, named(grid, household="HH-2")]),
    )

    assert again.status == ImportStatus.FAILED
    assert again.errors == [
        {
            "row": 2,
            "column": "姓名",
            "reason": "与已登记的居民重复（姓名和户编码相同，本行未填身份证号和联系电话）；"
            "如确为不同的人，请填写身份证号或联系电话",
        }
    ]
    assert Resident.objects.filter(name="测试甲").count() == 2


def test_a_registered_resident_with_an_id_number_at_the_place_is_found_too(
    city: Any, run_import: RunImport
) -> None:
    registry.resident_create(actor=city.bob, node=city.grid_a1_1, name="测试甲", id_number=id_number(5))
    registry.resident_create(actor=city.bob, node=city.grid_a1_2, name="测试乙")

    job = run_import(
        city.bob,
        ImportKind.RESIDENTS,
        "居民.xlsx",
        xlsx_bytes([RESIDENT_HEADER, named(city.grid_a1_1.code), named(city.grid_a1_1.code, "测试乙")]),
    )

    assert job.status == ImportStatus.FAILED
    assert [(e["row"], e["reason"]) for e in job.errors] == [(2, ALONE_REGISTERED)]
    assert Resident.objects.count() == 2
