"""Re-importing an export: rows naming a registered 房屋编码 / 统一社会信用代码 update it.

Export with the export functions, edit cells as a street office would in Excel, import the
file back: changed records are updated (only the changed fields, one audit row each, with
the single-record edit's verb), unchanged ones counted, new rows created; a row for a
record outside the importer's scope, a row moving one, or a key twice in the file refuses
the whole file and changes nothing.
"""

import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from civicgrid.core import crypto
from civicgrid.core.models import AuditLog
from civicgrid.core.validators import uscc_check_char
from civicgrid.exchange.exports import dwellings_xlsx, nodes_xlsx, organisations_xlsx
from civicgrid.exchange.importers.registry import DwellingImporter
from civicgrid.exchange.models import ImportKind, ImportStatus
from civicgrid.exchange.tests.conftest import RunImport
from civicgrid.exchange.tests.files import xlsx_bytes
from civicgrid.registry import services as registry
from civicgrid.registry.constants import Verb
from civicgrid.registry.models import Dwelling, DwellingUse, Organisation, OrganisationKind
from civicgrid.territory import services as territory
from civicgrid.territory.constants import Verb as TerritoryVerb
from civicgrid.territory.models import GridType, Node, NodeKind

pytestmark = pytest.mark.django_db


def credit(n: int) -> str:
    first17 = f"91320213MA1P2Q3R{n}"
    return first17 + uscc_check_char(first17)


def exported(response: Any) -> list[list[Any]]:
    book = load_workbook(io.BytesIO(bytes(response.content)))
    sheet = book.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def column(rows: list[list[Any]], header: str) -> int:
    return rows[0].index(header)


def row_of(rows: list[list[Any]], header: str, value: Any) -> list[Any]:
    index = column(rows, header)
    return next(r for r in rows[1:] if r[index] == value)


def set_cell(rows: list[list[Any]], key_header: str, key: Any, header: str, value: Any) -> None:
    row_of(rows, key_header, key)[column(rows, header)] = value


# --- dwellings ------------------------------------------------------------------------------


@pytest.fixture
def dwellings(city: Any) -> list[Dwelling]:
    b = city.building_a1
    return [
        registry.dwelling_create(actor=city.bob, node=b, room="101", use=DwellingUse.VACANT, code="D1"),
        registry.dwelling_create(
            actor=city.bob, node=b, room="102", use=DwellingUse.RENTED, area="60", code="D2"
        ),
        registry.dwelling_create(actor=city.bob, node=b, room="103", use=DwellingUse.RENTED, code="D3"),
    ]


def test_a_dwelling_export_edited_and_imported_back_updates_in_place(
    city: Any, dwellings: list[Dwelling], run_import: RunImport, client: Client
) -> None:
    rows = exported(dwellings_xlsx(city.bob, Dwelling.objects.all()))
    set_cell(rows, "房屋编码", "D1", "使用情况", "自住")
    set_cell(rows, "房屋编码", "D1", "产权人", "张三")
    set_cell(rows, "房屋编码", "D2", "面积（㎡）", 75.5)
    rows.append([city.building_a1.code, "", "", "104", "空置", "", "", ""][: len(rows[0])])
    stamp = Dwelling.objects.get(code="D3").updated_at

    job = run_import(city.bob, ImportKind.DWELLINGS, "房屋.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.DONE, (job.errors, job.message)
    assert job.counts == {"dwellings": 1, "updated": 2, "unchanged": 1}
    assert "新增 1、更新 2、未变 1" in job.message
    d1, d2, d3 = (Dwelling.objects.get(code=c) for c in ("D1", "D2", "D3"))
    assert (d1.use, d1.owner_name, d1.room) == (DwellingUse.OWNER_OCCUPIED, "张三", "101")
    assert d2.area == Decimal("75.50") and d2.use == DwellingUse.RENTED
    assert d3.updated_at == stamp  # unchanged: not written
    assert Dwelling.objects.filter(room="104", node=city.building_a1).count() == 1
    assert Dwelling.objects.count() == 4
    audits = {a.target_id: a for a in AuditLog.objects.filter(verb=Verb.DWELLING_UPDATED)}
    assert set(audits) == {str(d1.pk), str(d2.pk)}
    assert audits[str(d1.pk)].before == {"use": "vacant", "owner_name": ""}
    assert audits[str(d1.pk)].after == {"use": "owner_occupied", "owner_name": "张三", "via": "import"}
    assert audits[str(d2.pk)].before == {"area": "60.00"}
    assert (audits[str(d2.pk)].after or {})["area"] == "75.50"
    assert audits[str(d1.pk)].actor == city.bob
    assert AuditLog.objects.filter(verb="exchange.import_completed").count() == 1
    client.force_login(city.bob)
    page = client.get(reverse("exchange:import", args=[job.pk])).content.decode()
    assert "新增 1、更新 2、未变 1" in page
    assert "<td>房屋</td><td>1</td>" in page and "<td>更新</td><td>2</td>" in page
    assert "updated" not in page


def test_importing_an_unedited_export_changes_nothing(
    city: Any, dwellings: list[Dwelling], run_import: RunImport
) -> None:
    rows = exported(dwellings_xlsx(city.bob, Dwelling.objects.all()))
    stamps = dict(Dwelling.objects.values_list("code", "updated_at"))

    job = run_import(city.bob, ImportKind.DWELLINGS, "房屋.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.DONE, job.errors
    assert job.counts == {"dwellings": 0, "updated": 0, "unchanged": 3}
    assert dict(Dwelling.objects.values_list("code", "updated_at")) == stamps
    assert not AuditLog.objects.filter(verb=Verb.DWELLING_UPDATED).exists()


def _refused(job: Any, column: str, text: str) -> None:
    assert job.status == ImportStatus.FAILED
    assert any(e["column"] == column and text in e["reason"] for e in job.errors), job.errors


def _nothing_changed(before: dict[str, Any]) -> None:
    assert dict(Dwelling.objects.values_list("code", "updated_at")) == before
    assert not AuditLog.objects.filter(verb=Verb.DWELLING_UPDATED).exists()


def test_a_dwelling_outside_the_scope_is_refused_without_telling_about_it(
    city: Any, dwellings: list[Dwelling], run_import: RunImport
) -> None:
    registry.dwelling_create(
        actor=city.carol, node=city.building_b1, room="9", use=DwellingUse.RENTED, code="B9"
    )
    rows = exported(dwellings_xlsx(city.bob, Dwelling.objects.all()))
    set_cell(rows, "房屋编码", "D1", "使用情况", "自住")
    rows.append([city.building_a1.code, "", "B9", "101", "自住", "", ""])
    before = dict(Dwelling.objects.values_list("code", "updated_at"))

    job = run_import(city.bob, ImportKind.DWELLINGS, "房屋.xlsx", xlsx_bytes(rows))

    _refused(job, "房屋编码", "管辖范围以外")
    assert not any("通江" in e["reason"] or e["reason"] == "9" for e in job.errors)
    _nothing_changed(before)


def test_moving_a_dwelling_by_import_is_refused(
    city: Any, dwellings: list[Dwelling], run_import: RunImport
) -> None:
    other = territory.node_create(
        actor=city.sysadmin, kind=NodeKind.BUILDING, name="胜利门2号楼", parent=city.grid_a1_2
    )
    rows = exported(dwellings_xlsx(city.bob, Dwelling.objects.all()))
    set_cell(rows, "房屋编码", "D2", "区域编码", other.code)
    set_cell(rows, "房屋编码", "D1", "使用情况", "自住")
    before = dict(Dwelling.objects.values_list("code", "updated_at"))

    job = run_import(city.bob, ImportKind.DWELLINGS, "房屋.xlsx", xlsx_bytes(rows))

    _refused(job, "区域编码", "导入不能移动房屋")
    _nothing_changed(before)


def test_a_dwelling_code_twice_in_the_file_is_refused(
    city: Any, dwellings: list[Dwelling], run_import: RunImport
) -> None:
    rows = exported(dwellings_xlsx(city.bob, Dwelling.objects.all()))
    twice = list(row_of(rows, "房屋编码", "D1"))
    twice[column(rows, "使用情况")] = "出租"
    rows.append(twice)
    before = dict(Dwelling.objects.values_list("code", "updated_at"))

    job = run_import(city.bob, ImportKind.DWELLINGS, "房屋.xlsx", xlsx_bytes(rows))

    _refused(job, "房屋编码", "房屋编码 D1 与第2行重复")
    _nothing_changed(before)


def test_a_dwelling_edited_on_a_page_during_the_import_refuses_the_file(
    city: Any, dwellings: list[Dwelling], run_import: RunImport, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = exported(dwellings_xlsx(city.bob, Dwelling.objects.all()))
    set_cell(rows, "房屋编码", "D1", "使用情况", "自住")
    validate = DwellingImporter.validate

    def validate_then_someone_edits(self: DwellingImporter, *args: Any) -> Any:
        errors = validate(self, *args)
        registry.dwelling_update(actor=city.alice, dwelling=dwellings[0], use=DwellingUse.RENTED)
        return errors

    monkeypatch.setattr(DwellingImporter, "validate", validate_then_someone_edits)

    job = run_import(city.bob, ImportKind.DWELLINGS, "房屋.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.FAILED
    assert "已被他人修改" in job.message and "第2行" in job.message
    assert Dwelling.objects.get(code="D1").use == DwellingUse.RENTED  # the page's edit stands
    assert AuditLog.objects.filter(verb=Verb.DWELLING_UPDATED).count() == 1  # the page's only


# --- organisations --------------------------------------------------------------------------


@pytest.fixture
def organisations(city: Any) -> list[Organisation]:
    def make(n: int, name: str, **kw: Any) -> Organisation:
        return registry.organisation_create(
            actor=city.bob,
            node=city.grid_a1_1,
            name=name,
            kind=OrganisationKind.ENTERPRISE,
            credit_code=credit(n),
            **kw,
        )

    return [
        make(1, "甲公司", contact_phone="13900001111", employees=5),
        make(2, "乙公司", address="解放路1号"),
    ]


def test_an_organisation_export_edited_and_imported_back_updates_in_place(
    city: Any, organisations: list[Organisation], run_import: RunImport
) -> None:
    rows = exported(organisations_xlsx(city.bob, Organisation.objects.all()))
    set_cell(rows, "统一社会信用代码", credit(1), "单位名称", "甲有限公司")
    set_cell(rows, "统一社会信用代码", credit(1), "从业人数", 12)
    rows.append([city.grid_a1_1.code, "", "丙公司", "企业", credit(3), "", "", "", ""])
    first = Organisation.objects.get(credit_code=credit(1))
    phone_enc = first.contact_phone_enc  # the masked phone cell keeps the stored phone

    job = run_import(city.bob, ImportKind.ORGANISATIONS, "单位.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.DONE, (job.errors, job.message)
    assert job.counts == {"organisations": 1, "updated": 1, "unchanged": 1}
    first.refresh_from_db()
    assert (first.name, first.employees) == ("甲有限公司", 12)
    assert first.contact_phone_enc == phone_enc and crypto.decrypt(first.contact_phone_enc) == "13900001111"
    assert Organisation.objects.get(credit_code=credit(3)).name == "丙公司"
    (audit,) = AuditLog.objects.filter(verb=Verb.ORGANISATION_UPDATED)
    assert audit.target_id == str(first.pk)
    assert audit.before == {"name": "甲公司", "employees": 5}
    assert audit.after == {"name": "甲有限公司", "employees": 12, "via": "import"}


def test_a_new_phone_replaces_the_stored_one_and_is_audited_masked(
    city: Any, organisations: list[Organisation], run_import: RunImport
) -> None:
    rows = exported(organisations_xlsx(city.bob, Organisation.objects.all()))
    set_cell(rows, "统一社会信用代码", credit(1), "联系电话", "13800002222")

    job = run_import(city.bob, ImportKind.ORGANISATIONS, "单位.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.DONE, job.errors
    first = Organisation.objects.get(credit_code=credit(1))
    assert crypto.decrypt(first.contact_phone_enc) == "13800002222"
    (audit,) = AuditLog.objects.filter(verb=Verb.ORGANISATION_UPDATED)
    assert audit.before == {"contact_phone_masked": "139****1111"}
    assert "13800002222" not in str(audit.after) and "13900001111" not in str(audit.before)


def test_organisation_refusals_change_nothing(
    city: Any, organisations: list[Organisation], run_import: RunImport
) -> None:
    registry.organisation_create(
        actor=city.carol,
        node=city.grid_b1_1,
        name="外社区公司",
        kind=OrganisationKind.ENTERPRISE,
        credit_code=credit(9),
    )
    rows = exported(organisations_xlsx(city.bob, Organisation.objects.all()))
    set_cell(rows, "统一社会信用代码", credit(1), "区域编码", city.grid_a1_2.code)  # a move
    set_cell(rows, "统一社会信用代码", credit(2), "单位名称", "乙有限公司")
    rows.append([city.grid_a1_1.code, "", "冒名公司", "企业", credit(9), "", "", "", ""])  # outside
    rows.append([city.grid_a1_1.code, "", "乙公司", "企业", credit(2), "", "", "", ""])  # twice
    before = dict(Organisation.objects.values_list("pk", "updated_at"))

    job = run_import(city.bob, ImportKind.ORGANISATIONS, "单位.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.FAILED
    reasons = {(e["row"], e["column"]): e["reason"] for e in job.errors}
    index = column(rows, "统一社会信用代码")
    moved, second = (next(n for n, r in enumerate(rows, 1) if r[index] == credit(k)) for k in (1, 2))
    assert "导入不能移动单位" in reasons[(moved, "区域编码")]
    assert (
        "管辖范围以外" in reasons[(4, "统一社会信用代码")]
        and "外社区" not in reasons[(4, "统一社会信用代码")]
    )
    assert f"与第{second}行的统一社会信用代码重复" in reasons[(5, "统一社会信用代码")]
    assert dict(Organisation.objects.values_list("pk", "updated_at")) == before
    assert Organisation.objects.get(credit_code=credit(2)).name == "乙公司"
    assert not AuditLog.objects.filter(verb=Verb.ORGANISATION_UPDATED).exists()


# --- territory nodes ------------------------------------------------------------------------


def _node_stamps() -> dict[str, Any]:
    return dict(Node.objects.values_list("code", "updated_at"))


def test_a_subtree_export_edited_and_imported_back_updates_in_place(city: Any, run_import: RunImport) -> None:
    rows = exported(nodes_xlsx(city.bob, city.comm_a1))
    g12, building = city.grid_a1_2.code, city.building_a1.code
    set_cell(rows, "编码", g12, "名称", "胜利门第二网格")
    set_cell(rows, "编码", g12, "网格类型", "专属网格")
    set_cell(rows, "编码", building, "经度", 120.306)
    set_cell(rows, "编码", building, "地址", "胜利门路1号")
    rows.append(["楼栋", "", "胜利门2号楼", g12, "", "", "", ""])
    stamps = _node_stamps()

    job = run_import(city.bob, ImportKind.NODES, "区域.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.DONE, (job.errors, job.message)
    assert job.counts == {"nodes": 1, "updated": 2, "unchanged": 2}
    assert "新增 1、更新 2、未变 2" in job.message
    grid = Node.objects.get(code=g12)
    assert (grid.name, grid.grid_type, grid.parent_id) == (
        "胜利门第二网格",
        GridType.DEDICATED,
        city.comm_a1.pk,
    )
    house = Node.objects.get(code=building)
    assert (house.lon, house.lat, house.address) == (120.306, 31.575, "胜利门路1号")
    assert Node.objects.get(name="胜利门2号楼").parent_id == grid.pk
    assert Node.objects.get(code=city.grid_a1_1.code).updated_at == stamps[city.grid_a1_1.code]
    audits = {a.target_id: a for a in AuditLog.objects.filter(verb=TerritoryVerb.NODE_UPDATED)}
    assert set(audits) == {str(grid.pk), str(house.pk)}
    assert audits[str(grid.pk)].before == {"name": "胜利门二网格", "grid_type": GridType.COMPREHENSIVE}
    assert audits[str(house.pk)].after == {"lon": 120.306, "address": "胜利门路1号", "via": "import"}


def test_node_refusals_change_nothing(city: Any, run_import: RunImport) -> None:
    rows = exported(nodes_xlsx(city.bob, city.comm_a1))
    set_cell(rows, "编码", city.grid_a1_2.code, "名称", "改了名")  # valid, held back by the rest
    set_cell(rows, "编码", city.building_a1.code, "上级编码", city.grid_a1_2.code)  # a move
    set_cell(rows, "编码", city.grid_a1_1.code, "层级", "小区")  # another kind
    rows.append(["网格", city.grid_b1_1.code, "外社区网格", city.comm_a1.code, "", "", "", ""])  # outside
    rows.append(list(row_of(rows, "编码", city.grid_a1_2.code)))  # twice
    stamps = _node_stamps()

    job = run_import(city.bob, ImportKind.NODES, "区域.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.FAILED
    reasons = {(e["column"], e["reason"]) for e in job.errors}
    assert any(c == "上级编码" and "导入不能移动区域" in r for c, r in reasons), reasons
    assert any(c == "层级" and "导入不能修改层级" in r for c, r in reasons), reasons
    outside = [r for c, r in reasons if c == "编码" and "管辖范围以外" in r]
    assert outside and "通江" not in outside[0]
    assert any(c == "编码" and f"编码 {city.grid_a1_2.code} 与第" in r for c, r in reasons), reasons
    assert _node_stamps() == stamps
    assert Node.objects.get(code=city.grid_a1_2.code).name == "胜利门二网格"
    assert not AuditLog.objects.filter(verb=TerritoryVerb.NODE_UPDATED).exists()


def test_a_point_moved_outside_its_grid_is_refused_like_on_the_page(city: Any, run_import: RunImport) -> None:
    rows = exported(nodes_xlsx(city.bob, city.comm_a1))
    set_cell(rows, "编码", city.building_a1.code, "经度", 120.315)  # in the second grid

    job = run_import(city.bob, ImportKind.NODES, "区域.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.FAILED
    assert [e["column"] for e in job.errors] == ["经度"], job.errors
    assert Node.objects.get(pk=city.building_a1.pk).lon == 120.305


def test_an_organisation_without_credit_code_imported_back_is_not_registered_twice(
    city: Any, run_import: RunImport
) -> None:
    registry.organisation_create(
        actor=city.bob,
        node=city.grid_a1_1,
        name="老街小卖部",
        kind=OrganisationKind.SHOP,
        address="中山路8号",
    )
    rows = exported(organisations_xlsx(city.bob, Organisation.objects.all()))

    job = run_import(city.bob, ImportKind.ORGANISATIONS, "单位.xlsx", xlsx_bytes(rows))

    _refused(job, "单位名称", "该单位已登记（同一区域、同名同地址，未填统一社会信用代码）")
    assert Organisation.objects.count() == 1
    # Another address of the same name is another organisation (a chain's branch).
    set_cell(rows, "单位名称", "老街小卖部", "地址", "中山路10号")
    job = run_import(city.bob, ImportKind.ORGANISATIONS, "单位.xlsx", xlsx_bytes(rows))
    assert job.status == ImportStatus.DONE, job.errors
    assert Organisation.objects.filter(name="老街小卖部").count() == 2


def test_a_column_left_out_or_a_blank_cell_keeps_the_stored_value(
    city: Any, dwellings: list[Dwelling], organisations: list[Organisation], run_import: RunImport
) -> None:
    """A file of a few columns updated those and wiped the others (面积, 产权人; an
    organisation's 地址, 联系人, 电话, 从业人数); blank cells of a full export did the same."""
    Dwelling.objects.filter(code="D2").update(owner_name="李四")
    rows = [["区域编码", "房屋编码", "房号", "使用情况"], [city.building_a1.code, "D2", "102", "自住"]]

    job = run_import(city.bob, ImportKind.DWELLINGS, "房屋.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.DONE, job.errors
    d2 = Dwelling.objects.get(code="D2")
    assert (d2.use, d2.area, d2.owner_name) == (DwellingUse.OWNER_OCCUPIED, Decimal("60.00"), "李四")
    (audit,) = AuditLog.objects.filter(verb=Verb.DWELLING_UPDATED)
    assert audit.before == {"use": "rented"}

    full = exported(dwellings_xlsx(city.bob, Dwelling.objects.filter(code="D2")))
    set_cell(full, "房屋编码", "D2", "面积（㎡）", "")
    set_cell(full, "房屋编码", "D2", "产权人", None)
    job = run_import(city.bob, ImportKind.DWELLINGS, "房屋2.xlsx", xlsx_bytes(full))
    assert job.status == ImportStatus.DONE, job.errors
    assert job.counts == {"dwellings": 0, "updated": 0, "unchanged": 1}
    d2.refresh_from_db()
    assert (d2.area, d2.owner_name) == (Decimal("60.00"), "李四")

    first = organisations[0]
    rows = [
        ["区域编码", "单位名称", "单位类型", "统一社会信用代码"],
        [city.grid_a1_1.code, "甲有限公司", "企业", credit(1)],
    ]
    job = run_import(city.bob, ImportKind.ORGANISATIONS, "单位.xlsx", xlsx_bytes(rows))
    assert job.status == ImportStatus.DONE, job.errors
    first.refresh_from_db()
    assert first.name == "甲有限公司" and first.employees == 5
    assert crypto.decrypt(first.contact_phone_enc) == "13900001111"
