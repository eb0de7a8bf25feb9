"""Found by outside testers: a page parameter holding a Unicode digit ("²", which
``str.isdigit`` takes for a digit but ``int`` refuses) gave a server error; a member born
after joining the Party, or who joined before 18 (党章：年满十八岁), was accepted by the
import, the page and the API."""

import io
import json
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from civicgrid.core.errors import ValidationError
from civicgrid.party import services
from civicgrid.party.constants import MemberCategory
from civicgrid.party.importers import PartyImportKind
from civicgrid.party.models import Agreement, PartyMember
from civicgrid.party.services.imports import party_import
from civicgrid.party.tests.conftest import PartyWorld, counts
from civicgrid.registry import services as registry
from civicgrid.registry.tests.factories import make_id_number

pytestmark = pytest.mark.django_db

SUPERSCRIPT_TWO = "²"  # "²".isdigit() is True, int("²") raises ValueError


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Unicode digits in page parameters --------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"/party/?under={SUPERSCRIPT_TWO}",
        f"/party/organisations/?under={SUPERSCRIPT_TWO}",
        f"/party/members/?under={SUPERSCRIPT_TWO}&organisation={SUPERSCRIPT_TWO}",
        f"/party/reporting/?under={SUPERSCRIPT_TWO}&community={SUPERSCRIPT_TWO}&unit={SUPERSCRIPT_TWO}",
    ],
)
def test_a_unicode_digit_in_a_filter_is_ignored_like_any_other_non_number(pw: PartyWorld, path: str) -> None:
    bob = login(pw.city.bob)
    plain = bob.get(path.replace(SUPERSCRIPT_TWO, "abc"))
    odd = bob.get(path)
    assert plain.status_code == 200
    assert odd.status_code == 200


def test_a_unicode_digit_as_the_agreements_community_is_refused_naming_the_field(pw: PartyWorld) -> None:
    before = Agreement.objects.count()
    response = login(pw.city.bob).post(
        "/party/agreements/new/",
        {
            "kind": "dual_reporting",
            "unit": str(pw.tax.pk),
            "community": SUPERSCRIPT_TWO,
            "title": "共建协议",
            "signed_on": "2024-01-02",
        },
    )
    assert response.status_code == 422
    # the code is read as typed codes are (full-width forms fold, "²" stays "²"): no such area
    assert "区域编码 ² 不存在" in response.content.decode()
    assert Agreement.objects.count() == before


def test_a_unicode_digit_as_the_agreements_alliance_is_no_alliance(pw: PartyWorld) -> None:
    before = Agreement.objects.count()
    response = login(pw.city.bob).post(
        "/party/agreements/new/",
        {
            "kind": "alliance",
            "unit": str(pw.tax.pk),
            "alliance": SUPERSCRIPT_TWO,
            "title": "联盟协议",
            "signed_on": "2024-01-02",
        },
    )
    assert response.status_code == 422 and "联盟" in response.content.decode()
    assert Agreement.objects.count() == before


def test_a_unicode_digit_as_a_picked_member_is_not_found(pw: PartyWorld) -> None:
    response = login(pw.city.bob).post(
        f"/party/organisations/{pw.hub.pk}/act/", {"action": "hub_link", "member": SUPERSCRIPT_TWO}
    )
    assert response.status_code == 404


def test_the_api_refuses_a_unicode_digit_as_a_number(pw: PartyWorld) -> None:
    response = login(pw.city.bob).get(f"/api/v1/party/members?organisation={SUPERSCRIPT_TWO}")
    assert 400 <= response.status_code < 500


# --- join date against birth date -----------------------------------------------------------------

MEMBER_HEADER = ["姓名", "党员类别", "所属党组织编码", "身份证号", "入党日期"]


def xlsx(*rows: list[Any]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(MEMBER_HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("党员.xlsx", out.getvalue())


def test_the_import_refuses_a_join_date_before_birth_or_before_18(pw: PartyWorld) -> None:
    born_1990 = make_id_number("32021319900615011")  # born 1990-06-15
    born_1991 = make_id_number("32021319910615022")
    born_1992 = make_id_number("32021319920615033")
    before = counts()
    upload = xlsx(
        ["早于出生", "社区党员", pw.group.code, born_1990, "1985-07-01"],
        ["未满十八", "社区党员", pw.group.code, born_1991, "2009-06-14"],  # the day before 18
    )
    outcome = party_import(actor=pw.city.bob, kind=PartyImportKind.MEMBERS, upload=upload)
    assert not outcome.ok
    found = {(e.row, e.column): e.reason for e in outcome.errors}
    assert found[(2, "入党日期")] == "入党日期不能早于出生日期（1990-06-15）"
    assert "未满18周岁" in found[(3, "入党日期")] and "1991-06-15" in found[(3, "入党日期")]
    assert counts() == before
    ok = xlsx(["刚满十八", "社区党员", pw.group.code, born_1992, "2010-06-15"])  # the 18th birthday
    outcome = party_import(actor=pw.city.bob, kind=PartyImportKind.MEMBERS, upload=ok)
    assert outcome.ok, outcome.as_dict()
    assert PartyMember.objects.get(name="刚满十八").join_date == date(2010, 6, 15)


def _resident_born(pw: PartyWorld, name: str, born: date) -> Any:
    return registry.resident_create(actor=pw.city.bob, node=pw.city.building_a1, name=name, birth_date=born)


def test_the_service_and_the_page_refuse_a_member_who_joined_before_18(pw: PartyWorld) -> None:
    young = _resident_born(pw, "少年党员", date(2000, 3, 1))
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.member_create(
            actor=pw.city.bob,
            name="少年党员",
            category=MemberCategory.COMMUNITY,
            organisation=pw.group,
            resident=young,
            join_date=date(2017, 3, 1),
        )
    assert "未满18周岁" in exc.value.errors["join_date"][0]
    assert counts() == before
    page = login(pw.city.bob).post(
        "/party/members/new/",
        {
            "name": "少年党员",
            "category": MemberCategory.COMMUNITY,
            "organisation": str(pw.group.pk),
            "resident": "少年党员",
            "join_date": "1999-07-01",
        },
    )
    assert page.status_code == 422 and "入党日期不能早于出生日期（2000-03-01）" in page.content.decode()
    assert counts() == before


def test_the_api_refuses_a_join_date_before_birth(pw: PartyWorld) -> None:
    born = _resident_born(pw, "档案党员", date(1980, 5, 20))
    before = counts()
    response = login(pw.city.bob).post(
        "/api/v1/party/members",
        json.dumps(
            {
                "category": MemberCategory.COMMUNITY,
                "organisation_id": pw.group.pk,
                "resident_id": born.pk,
                "join_date": "1979-01-01",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "入党日期不能早于出生日期" in response.json()["detail"]["join_date"][0]
    assert counts() == before
    ok = login(pw.city.bob).post(
        "/api/v1/party/members",
        json.dumps(
            {
                "category": MemberCategory.COMMUNITY,
                "organisation_id": pw.group.pk,
                "resident_id": born.pk,
                "join_date": "2001-07-01",
            }
        ),
        content_type="application/json",
    )
    assert ok.status_code == 201, ok.content
