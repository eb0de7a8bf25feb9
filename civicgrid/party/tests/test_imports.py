"""Import of members, units and agreements: every row checked, all or nothing; exports."""

import io
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from civicgrid.core.errors import PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.party import exports, services
from civicgrid.party.constants import AgreementStatus, MemberCategory, OrgKind, Verb
from civicgrid.party.importers import PartyImportKind
from civicgrid.party.models import Agreement, PartyMember, PartyOrganisation
from civicgrid.party.services.imports import party_import
from civicgrid.party.tests.conftest import PartyWorld, counts
from civicgrid.registry import services as registry
from civicgrid.registry.tests.factories import make_credit_code, make_id_number

pytestmark = pytest.mark.django_db


def xlsx(header: list[str], *rows: list[Any]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("导入.xlsx", out.getvalue())


MEMBER_HEADER = [
    "姓名",
    "党员类别",
    "所属党组织编码",
    "身份证号",
    "联系电话",
    "入党日期",
    "从业类型",
    "居住区域编码",
    "困难党员",
]


def test_members_import_all_or_nothing(pw: PartyWorld) -> None:
    c = pw.city
    before = counts()
    bad = xlsx(
        MEMBER_HEADER,
        ["王一", "在职党员", pw.tax_org.code, "", "13800000001", "2015-07-01", "", c.grid_a1_1.code, "否"],
        ["王二", "在职党员", pw.branch.code, "", "", "", "", "", ""],  # not a unit's organisation
        ["", "社区党员", pw.branch.code, "", "123", "2099-01-01", "", "", "也许"],
        ["王四", "新就业群体", "", "", "", "", "", "", ""],  # no trade, no home
        ["王五", "社区党员", "NOPE", "", "", "", "", "", ""],
    )
    outcome = party_import(actor=c.bob, kind=PartyImportKind.MEMBERS, upload=bad)
    assert not outcome.ok and outcome.counts == {}
    got = {(e.row, e.column) for e in outcome.errors}
    assert (3, "所属党组织编码") in got
    assert {(4, "姓名"), (4, "联系电话"), (4, "入党日期"), (4, "困难党员")} <= got
    assert (5, "从业类型") in got and (6, "所属党组织编码") in got
    assert all(e.row != 2 for e in outcome.errors)
    assert counts() == before  # nothing imported, no audit row
    good = xlsx(
        MEMBER_HEADER,
        ["王一", "在职党员", pw.tax_org.code, "", "13800000001", "2015-07-01", "", c.grid_a1_1.code, "否"],
        ["钱骑手", "新就业", "", "", "", "", "骑手", c.grid_a1_2.code, ""],
        ["困难党员乙", "社区党员", pw.group.code, "", "", "1970/3/1", "", "", "是"],
    )
    outcome = party_import(actor=c.bob, kind=PartyImportKind.MEMBERS, upload=good)
    assert outcome.ok and outcome.counts == {"members": 3}, outcome.as_dict()
    wang = PartyMember.objects.get(name="王一")
    assert wang.employer == pw.tax and wang.home_node == c.grid_a1_1 and wang.phone_masked == "138****0001"
    assert PartyMember.objects.get(name="困难党员乙").is_needy
    audit = AuditLog.objects.get(verb=Verb.IMPORTED)
    assert audit.after is not None and audit.after["counts"] == {"members": 3}


def test_members_link_to_the_registry_by_id_number(pw: PartyWorld) -> None:
    c = pw.city
    id_number = make_id_number("32021319800101055")
    registry.resident_create(actor=c.bob, node=c.building_a1, name="档案人", id_number=id_number)
    carols = make_id_number("32021319800101066")
    registry.resident_create(actor=c.carol, node=c.grid_b1_1, name="外区人", id_number=carols)
    upload = xlsx(
        MEMBER_HEADER,
        ["档案人", "社区党员", pw.group.code, id_number, "", "", "", "", ""],
        ["档案人", "社区党员", pw.group.code, id_number, "", "", "", "", ""],
        ["外区人", "社区党员", pw.group.code, carols, "", "", "", "", ""],
    )
    outcome = party_import(actor=c.bob, kind=PartyImportKind.MEMBERS, upload=upload)
    reasons = {(e.row, e.reason) for e in outcome.errors}
    assert (3, "与第2行是同一人") in reasons
    assert (4, "该身份证号对应的居民档案不在您的管辖范围内") in reasons


def test_the_outsider_imports_nothing_into_another_community(pw: PartyWorld) -> None:
    upload = xlsx(MEMBER_HEADER, ["越界", "社区党员", pw.branch.code, "", "", "", "", "", ""])
    before = counts()
    outcome = party_import(actor=pw.city.carol, kind=PartyImportKind.MEMBERS, upload=upload)
    assert [e.column for e in outcome.errors] == ["所属党组织编码"]
    assert counts() == before
    with pytest.raises(PermissionDenied):
        party_import(actor=pw.city.dave, kind=PartyImportKind.MEMBERS, upload=upload)
    with pytest.raises(ValidationError):
        party_import(actor=pw.city.bob, kind="nope", upload=upload)


def test_units_and_agreements_import(pw: PartyWorld) -> None:
    c = pw.city
    school = registry.organisation_create(
        actor=c.bob,
        node=c.grid_a1_1,
        name="胜利门小学",
        kind="public_institution",
        credit_code=make_credit_code(303),
    )
    units = xlsx(
        ["统一社会信用代码", "单位名称", "党组织名称", "书记", "成立日期"],
        [school.credit_code, "", "胜利门小学党支部", "周校长", "2001-09-01"],
        ["", "梁溪区税务局", "重复登记", "", ""],
        ["", "不存在单位", "某支部", "", ""],
    )
    outcome = party_import(actor=c.bob, kind=PartyImportKind.UNITS, upload=units)
    assert {(e.row, e.column) for e in outcome.errors} == {(3, "单位名称"), (4, "单位名称")}
    units = xlsx(
        ["统一社会信用代码", "单位名称", "党组织名称", "书记", "成立日期"],
        [school.credit_code, "", "胜利门小学党支部", "周校长", "2001-09-01"],
    )
    assert party_import(actor=c.bob, kind=PartyImportKind.UNITS, upload=units).ok
    org = PartyOrganisation.objects.get(unit=school)
    assert org.kind == OrgKind.UNIT and org.code.startswith(c.grid_a1_1.code + "D")
    header = ["统一社会信用代码", "单位名称", "社区编码", "服务类型", "签订日期", "开始日期", "结束日期"]
    agreements = xlsx(
        header,
        [school.credit_code, "", c.comm_a1.code, "助老扶弱、关爱少年儿童", "2024-03-01", "", ""],
        [school.credit_code, "", c.comm_a1.code, "助老扶弱", "2024-03-01", "", ""],
        ["", "梁溪区税务局", c.comm_b1.code, "跳舞", "2024-03-01", "2024-03-01", "2023-01-01"],
    )
    outcome = party_import(actor=c.bob, kind=PartyImportKind.AGREEMENTS, upload=agreements)
    got = {(e.row, e.column) for e in outcome.errors}
    assert got == {(3, "统一社会信用代码"), (4, "社区编码"), (4, "服务类型"), (4, "结束日期")}
    assert not Agreement.objects.exists()
    agreements = xlsx(header, [school.credit_code, "", c.comm_a1.code, "助老扶弱", "2024-03-01", "", ""])
    outcome = party_import(actor=c.bob, kind=PartyImportKind.AGREEMENTS, upload=agreements)
    assert outcome.ok
    agreement = Agreement.objects.get()
    assert agreement.party_organisation == org and agreement.service_types == ["elderly"]
    assert agreement.status == AgreementStatus.ACTIVE
    assert agreement.title == "胜利门小学与胜利门社区共建协议"


def test_exports_use_the_import_columns(pw: PartyWorld) -> None:
    c = pw.city
    services.agreement_sign(
        pledges_text="每季度开展一次共建活动",
        actor=c.bob,
        unit=pw.tax,
        node=c.comm_a1,
        signed_on=date(2024, 1, 2),
    )
    response = exports.members_xlsx(c.bob, PartyMember.objects.all())
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("姓名*", "党员类别*", "所属党组织编码")
    assert {r[0] for r in rows[1:]} == {"刘中心", "张在职", "李外住", "赵骑手"}
    assert AuditLog.objects.filter(verb="exchange.exported").count() == 1
    carol_rows = list(
        load_workbook(
            io.BytesIO(exports.members_xlsx(c.carol, PartyMember.objects.all()).content)
        ).active.iter_rows(values_only=True)
    )
    assert len(carol_rows) == 1  # the header only
    agreements = exports.agreements_xlsx(c.bob, Agreement.objects.all())
    sheet = load_workbook(io.BytesIO(agreements.content)).active
    assert sheet is not None
    assert list(sheet.iter_rows(values_only=True))[1][2] == c.comm_a1.code
    units = exports.units_xlsx(c.bob, PartyOrganisation.objects.filter(kind=OrgKind.UNIT))
    assert units.status_code == 200
    template = exports.template_xlsx(PartyImportKind.MEMBERS)
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(template.content))
    assert book.sheetnames == ["党员", "说明"]
    assert MemberCategory.IN_SERVICE.label in str(book["说明"]["D3"].value)


def csv_upload(*lines: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("党员.csv", "\r\n".join(lines).encode("utf-8-sig"))


def member_line(
    name: str, category: str, org_code: str, id_number: str = "", home: str = "", trade: str = ""
) -> str:
    return f"{name},{category},{org_code},{id_number},,,{trade},{home},"


CSV_HEADER = ",".join(MEMBER_HEADER)
SAME_NAME_HINT = "如是同名的另一人，请填写其身份证号（须已在实有人口中登记）"


def test_a_member_without_a_category_is_refused(pw: PartyWorld) -> None:
    before = counts()
    upload = csv_upload(
        CSV_HEADER,
        member_line("空类别", "", pw.branch.code),
        member_line("乱类别", "离退休党员", pw.branch.code),
    )

    outcome = party_import(actor=pw.city.bob, kind=PartyImportKind.MEMBERS, upload=upload)

    assert [(e.row, e.column, e.reason) for e in outcome.errors] == [
        (2, "党员类别", "党员类别不能为空，应为：社区党员、在职党员、新就业群体"),
        (3, "党员类别", "党员类别应为：社区党员、在职党员、新就业群体"),
    ]
    assert counts() == before


def test_the_member_export_shows_a_stored_value_it_has_no_label_for(pw: PartyWorld) -> None:
    PartyMember.objects.filter(pk=pw.li.pk).update(category="", political_status="retired")

    response = exports.members_xlsx(pw.city.bob, PartyMember.objects.filter(pk=pw.li.pk))

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    row = list(sheet.iter_rows(values_only=True))[1]
    assert row[0] == "李外住" and row[1] in ("", None) and row[5] == "retired"


def test_member_id_numbers_are_checked_as_the_registry_checks_them(pw: PartyWorld) -> None:
    before = counts()
    unregistered = make_id_number("32021319800101077")
    upload = csv_upload(
        CSV_HEADER,
        member_line("错号", "社区党员", pw.branch.code, "320213197003040000"),
        member_line("短号", "社区党员", pw.branch.code, "3202131970"),
        member_line("同一人", "社区党员", pw.branch.code, unregistered),
        member_line("同一人", "社区党员", pw.branch.code, unregistered.lower()),
    )

    outcome = party_import(actor=pw.city.bob, kind=PartyImportKind.MEMBERS, upload=upload)

    assert [(e.row, e.column, e.reason) for e in outcome.errors] == [
        (2, "身份证号", "身份证号校验位错误"),
        (3, "身份证号", "身份证号应为18位，前17位为数字，最后一位为数字或X"),
        (5, "身份证号", "与第4行是同一人"),
    ]
    assert counts() == before
    number = xlsx(MEMBER_HEADER, ["数字号", "社区党员", pw.branch.code, float(unregistered[:17] + "0")])
    outcome = party_import(actor=pw.city.bob, kind=PartyImportKind.MEMBERS, upload=number)
    assert [e.reason for e in outcome.errors] == [
        "身份证号在 Excel 中被存成了数字，后几位已丢失；请把该列设为文本格式后重新录入"
    ]


def test_a_member_already_registered_is_refused_and_the_same_file_twice_adds_nobody(
    pw: PartyWorld,
) -> None:
    c = pw.city
    unregistered = make_id_number("32021319800101088")
    upload = [
        CSV_HEADER,
        member_line("新党员", "社区党员", pw.group.code),
        member_line("新骑手", "新就业群体", "", home=c.grid_a1_2.code, trade="骑手"),
        member_line("外区新人", "社区党员", pw.group.code, unregistered),
        member_line("张在职", "在职党员", pw.tax_org.code, make_id_number("32021319800101099")),
    ]
    first = party_import(actor=c.bob, kind=PartyImportKind.MEMBERS, upload=csv_upload(*upload))
    assert first.ok and first.counts == {"members": 4}, first.as_dict()
    before = counts()

    again = party_import(actor=c.bob, kind=PartyImportKind.MEMBERS, upload=csv_upload(*upload[:4]))

    assert [(e.row, e.column) for e in again.errors] == [(2, "姓名"), (3, "姓名"), (4, "姓名")]
    assert again.errors[0].reason == "党组织“1号楼党小组”已有党员“新党员”，请勿重复导入；" + SAME_NAME_HINT
    assert again.errors[1].reason.startswith(f"{c.grid_a1_2.name}已有党员“新骑手”")
    assert counts() == before


def test_the_same_person_twice_in_one_file_or_already_a_member_is_refused(pw: PartyWorld) -> None:
    before = counts()
    upload = csv_upload(
        CSV_HEADER,
        member_line("重复党员", "社区党员", pw.branch.code),
        member_line("重复党员", "社区党员", pw.branch.code),
        member_line("李外住", "在职党员", pw.tax_org.code),  # an active member, not in the registry
        member_line("张在职", "在职党员", pw.tax_org.code),  # an active member, in the registry
    )

    outcome = party_import(actor=pw.city.bob, kind=PartyImportKind.MEMBERS, upload=upload)

    assert [(e.row, e.column, e.reason) for e in outcome.errors] == [
        (3, "姓名", "与第2行重复（同名、同一党组织，且都未填身份证号）"),
        (4, "姓名", f"党组织“{pw.tax_org.name}”已有党员“李外住”，请勿重复导入；" + SAME_NAME_HINT),
        (5, "姓名", f"党组织“{pw.tax_org.name}”已有党员“张在职”，请勿重复导入；" + SAME_NAME_HINT),
    ]
    assert counts() == before


def test_a_stray_quote_in_a_member_file_is_refused(pw: PartyWorld) -> None:
    before = counts()
    upload = csv_upload(
        CSV_HEADER,
        member_line("甲", "社区党员", pw.branch.code, home='"胜利门'),
        member_line("乙", "社区党员", pw.branch.code),
        member_line("丙", "社区党员", pw.branch.code),
    )

    outcome = party_import(actor=pw.city.bob, kind=PartyImportKind.MEMBERS, upload=upload)

    assert [(e.row, e.column, e.reason[:5]) for e in outcome.errors] == [(2, "居住区域编码", "引号未闭合")]
    assert counts() == before
