"""Importing dwellings and organisations."""

from decimal import Decimal
from typing import Any

import pytest

from civicgrid.core import crypto
from civicgrid.exchange.models import ImportKind, ImportStatus
from civicgrid.exchange.tests.conftest import RunImport
from civicgrid.exchange.tests.files import csv_bytes, xlsx_bytes
from civicgrid.registry import services as registry
from civicgrid.registry.models import Dwelling, DwellingUse, Organisation, OrganisationKind

KIND_REASON = "单位类型只能是机关、企业、事业单位、社会组织、两新组织、个体商户、物业服务企业或其他"
pytestmark = pytest.mark.django_db

DWELLING_HEADER = ["区域编码*", "房号*", "使用情况*", "面积（㎡）", "产权人", "房屋编码"]
ORG_HEADER = [
    "区域编码*",
    "单位名称*",
    "单位类型*",
    "统一社会信用代码",
    "地址",
    "联系人",
    "联系电话",
    "从业人数",
]
CREDIT_CODE = "91320213MA1P2Q3R4X"


def test_dwellings_import_with_generated_codes(city: Any, run_import: RunImport) -> None:
    building = city.building_a1
    registry.dwelling_create(actor=city.bob, node=building, room="101", use=DwellingUse.RENTED)
    rows = [
        DWELLING_HEADER,
        [building.code, "1单元301", "自住", 89.456, "张三", ""],
        [building.code, "1单元302", "rented", "", "", "MYCODE1"],
        [building.code, "1单元303", "空置", "120", "", ""],
    ]
    job = run_import(city.bob, ImportKind.DWELLINGS, "房屋.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.DONE, job.errors
    first = Dwelling.objects.get(room="1单元301")
    assert first.code == f"{building.code}F0002" and first.area == Decimal("89.46")
    assert first.use == DwellingUse.OWNER_OCCUPIED and first.node_path == building.path
    assert Dwelling.objects.get(room="1单元302").code == "MYCODE1"
    assert Dwelling.objects.get(room="1单元303").code == f"{building.code}F0003"


def test_dwelling_problems(city: Any, run_import: RunImport) -> None:
    registry.dwelling_create(actor=city.bob, node=city.building_a1, room="101", use="vacant", code="TAKEN")
    rows = [
        DWELLING_HEADER,
        [city.grid_a1_1.code, "1", "自住", "", "", ""],
        [city.building_a1.code, "", "租", "-3", "", "TAKEN"],
        [city.building_a1.code, "2", "自住", "abc", "", "DUP"],
        [city.building_a1.code, "3", "自住", "", "", "DUP"],
    ]
    job = run_import(city.bob, ImportKind.DWELLINGS, "房屋.csv", csv_bytes(rows))

    got = {(e["row"], e["column"], e["reason"]) for e in job.errors}
    assert got == {
        (2, "区域编码", f"所属区域应为：楼栋、单元（{city.grid_a1_1.code} 是网格）"),
        (3, "房号", "房号不能为空"),
        (3, "使用情况", "使用情况只能是自住、出租或空置"),
        (3, "面积（㎡）", "面积应为大于0的数字"),
        (4, "面积（㎡）", "面积应为大于0的数字"),
        (5, "房屋编码", "房屋编码 DUP 与第4行重复"),
    }
    assert Dwelling.objects.count() == 1


def test_organisations_import_with_masked_phones(city: Any, run_import: RunImport) -> None:
    rows = [
        ORG_HEADER,
        [
            city.grid_a1_1.code,
            "胜利门科技有限公司",
            "企业",
            CREDIT_CODE.lower(),
            "示例路2号",
            "李四",
            "0510-12345678",
            12,
        ],
        [city.comm_a1.code, "胜利门物业", "property_company", "", "", "", "13800001111", ""],
    ]
    job = run_import(city.bob, ImportKind.ORGANISATIONS, "单位.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.DONE, job.errors
    org = Organisation.objects.get(credit_code=CREDIT_CODE)
    assert org.kind == OrganisationKind.ENTERPRISE and org.employees == 12
    assert org.contact_phone_masked == "0510****5678"
    assert crypto.decrypt(org.contact_phone_enc) == "0510-12345678"
    assert org.contact_phone_hash == crypto.blind_index("0510-12345678")
    assert Organisation.objects.get(name="胜利门物业").employees is None


def test_organisation_problems(city: Any, run_import: RunImport) -> None:
    registry.organisation_create(
        actor=city.bob, node=city.grid_a1_1, name="已登记", kind="enterprise", credit_code=CREDIT_CODE
    )
    rows = [
        ORG_HEADER,
        [city.grid_a1_1.code, "", "公司", "91320213MA1P2Q3R4Y", "", "", "", "十二"],
        [city.grid_a1_1.code, "重复", "企业", CREDIT_CODE, "", "", "", ""],
    ]
    job = run_import(city.bob, ImportKind.ORGANISATIONS, "单位.csv", csv_bytes(rows))

    got = {(e["row"], e["column"], e["reason"]) for e in job.errors}
    assert got == {
        (2, "单位名称", "单位名称不能为空"),
        (
            2,
            "单位类型",
            "单位类型只能是机关、企业、事业单位、社会组织、两新组织、个体商户、物业服务企业或其他",
        ),
        (2, "统一社会信用代码", "统一社会信用代码校验位错误"),
        (2, "从业人数", "从业人数应为非负整数"),
    }
    # Row 3 names the registered code: an update (test_upd_reimport), held back by row 2.
    assert Organisation.objects.count() == 1 and Organisation.objects.get().name == "已登记"
