"""The party's imports read real-world sheets as the exchange imports do (exchange.cells):
a title row, UTF-16 text, full-width digits, phones typed every way, serial dates, and
masked cells from an export refused by name."""

import csv
import io
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from civicgrid.core import crypto
from civicgrid.party import exports
from civicgrid.party.importers import PartyImportKind
from civicgrid.party.models import PartyMember, PartyOrganisation
from civicgrid.party.services.imports import party_import
from civicgrid.party.tests.conftest import PartyWorld, counts
from civicgrid.registry import services as registry
from civicgrid.registry.tests.factories import make_credit_code, make_id_number

pytestmark = pytest.mark.django_db

HEADER = [
    "姓名",
    "党员类别",
    "所属党组织编码",
    "身份证号",
    "联系电话",
    "入党日期",
    "从业类型",
    "居住区域编码",
]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def titled_xlsx(title: str, header: list[str], *rows: list[Any]) -> SimpleUploadedFile:
    """A sheet with ``title`` and a blank row above the header (no title: the header first)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if title:
        sheet.append([title])
        sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("党员.xlsx", out.getvalue())


def test_members_from_a_titled_sheet_with_full_width_ids_and_odd_phones(pw: PartyWorld) -> None:
    c = pw.city
    id_number = make_id_number("32021319800101055")
    resident = registry.resident_create(actor=c.bob, node=c.building_a1, name="档案人", id_number=id_number)
    upload = titled_xlsx(
        "胜利门社区党员花名册",
        HEADER,
        [
            "档案人",
            "社区党员",
            pw.group.code,
            id_number.translate(FULL_WIDTH),
            "+86 138 0013 8000",
            36161,
            "",
            "",
        ],
        ["座机党员", "社区党员", pw.group.code, "", "（0510）8888888", "1999年1月1日", "", ""],
    )

    outcome = party_import(actor=c.bob, kind=PartyImportKind.MEMBERS, upload=upload)

    assert outcome.ok, outcome.as_dict()
    linked = PartyMember.objects.get(name="档案人")
    assert linked.resident == resident  # found by the ID number's blind index despite full-width digits
    assert linked.join_date == date(1999, 1, 1)  # serial 36161
    assert linked.phone_hash == crypto.blind_index("13800138000") and linked.phone_masked == "138****8000"
    landline = PartyMember.objects.get(name="座机党员")
    assert crypto.decrypt(landline.phone_enc) == "0510-8888888" and landline.join_date == date(1999, 1, 1)


def test_problems_are_reported_on_the_rows_excel_shows(pw: PartyWorld) -> None:
    upload = titled_xlsx(
        "花名册",
        HEADER,
        ["甲", "社区党员", pw.group.code, "", "", "", "", ""],
        ["乙", "社区党员", "NOPE", "", "", "", "", ""],
    )
    outcome = party_import(actor=pw.city.bob, kind=PartyImportKind.MEMBERS, upload=upload)
    assert [(e.row, e.column) for e in outcome.errors] == [(5, "所属党组织编码")]


def test_re_importing_an_exported_member_list_names_the_masked_cells(pw: PartyWorld) -> None:
    c = pw.city
    id_number = make_id_number("32021319800101055")
    registry.resident_create(actor=c.bob, node=c.building_a1, name="档案人", id_number=id_number)
    seed = titled_xlsx(
        "", HEADER, ["档案人", "社区党员", pw.group.code, id_number, "13800138000", "", "", ""]
    )
    assert party_import(actor=c.bob, kind=PartyImportKind.MEMBERS, upload=seed).ok
    exported = exports.members_xlsx(c.bob, PartyMember.objects.filter(name="档案人"))
    PartyMember.objects.filter(name="档案人").delete()
    before = counts()

    outcome = party_import(
        actor=c.bob, kind=PartyImportKind.MEMBERS, upload=SimpleUploadedFile("党员.xlsx", exported.content)
    )

    assert {(e.column, e.reason.split("（")[0]) for e in outcome.errors} >= {
        ("身份证号", "身份证号已脱敏"),
        ("联系电话", "联系电话已脱敏"),
    }
    assert counts() == before


def test_units_from_utf16_text_with_a_full_width_credit_code(pw: PartyWorld) -> None:
    school = registry.organisation_create(
        actor=pw.city.bob,
        node=pw.city.grid_a1_1,
        name="胜利门小学",
        kind="public_institution",
        credit_code=make_credit_code(303),
    )
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\r\n")
    writer.writerow(["统一社会信用代码", "单位名称", "党组织名称", "书记", "成立日期"])
    writer.writerow(
        [f" {school.credit_code.translate(FULL_WIDTH)}\u200b", "", "胜利门小学党支部", "周校长", "2001.9.1"]
    )
    upload = SimpleUploadedFile("单位党组织.txt", out.getvalue().encode("utf-16"))

    outcome = party_import(actor=pw.city.bob, kind=PartyImportKind.UNITS, upload=upload)

    assert outcome.ok, outcome.as_dict()
    assert PartyOrganisation.objects.get(unit=school).founded_on == date(2001, 9, 1)
