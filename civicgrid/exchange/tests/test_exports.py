"""Exports: masked PII only, cut to the actor's scope, and one audit row each."""

from datetime import date
from typing import Any

import pytest
from django.test import Client

from civicgrid.core.models import AuditLog
from civicgrid.exchange.exports import xlsx_response
from civicgrid.exchange.tests.files import id_number, read_xlsx
from civicgrid.registry import services as registry
from civicgrid.territory import services as territory
from civicgrid.territory.models import Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(city: Any) -> None:
    registry.resident_create(
        actor=city.bob,
        node=city.grid_a1_1,
        name="张伟",
        id_number=id_number(1),
        phone="13812345678",
        tags=["party_member"],
    )
    registry.resident_create(actor=city.carol, node=city.grid_b1_1, name="外社区居民", id_number=id_number(2))


def body(response: Any) -> bytes:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    return bytes(response.content)


def test_the_resident_export_holds_masked_pii_only_and_is_audited(
    client: Client, city: Any, people: None
) -> None:
    client.force_login(city.bob)

    data = body(client.get("/registry/residents/?export=xlsx"))

    rows = read_xlsx(data)
    assert rows[0][:5] == ("区域编码", "所属区域", "姓名", "身份证号", "联系电话")
    assert len(rows) == 2  # carol's resident in B1 stays out
    row = rows[1]
    assert row[2] == "张伟" and row[3] == id_number(1)[:3] + "*" * 11 + id_number(1)[-4:]
    assert row[4] == "138****5678" and row[10] == "党员"
    flat = "".join(str(v) for r in rows for v in r)
    assert id_number(1) not in flat and "13812345678" not in flat
    audit = AuditLog.objects.get(verb="exchange.exported")
    assert audit.after is not None
    assert audit.actor == city.bob and audit.after["list"] == "实有人口" and audit.after["rows"] == 1
    assert audit.node_path == city.comm_a1.path


def test_dwelling_and_organisation_exports(client: Client, city: Any) -> None:
    registry.dwelling_create(actor=city.bob, node=city.building_a1, room="=1+1", use="rented", area="88.5")
    registry.organisation_create(
        actor=city.bob, node=city.grid_a1_1, name="示例公司", kind="enterprise", contact_phone="13900001111"
    )
    client.force_login(city.bob)

    dwellings = read_xlsx(body(client.get("/registry/dwellings/?export=xlsx")))
    organisations = read_xlsx(body(client.get("/registry/organisations/?export=xlsx")))

    assert dwellings[1][3] == "=1+1"  # text, never a formula
    assert dwellings[1][4] == "出租" and float(dwellings[1][5]) == 88.5
    assert organisations[1][2] == "示例公司" and organisations[1][7] == "139****1111"
    assert "13900001111" not in str(organisations)
    exported = AuditLog.objects.filter(verb="exchange.exported").order_by("id")
    assert [(a.after or {}).get("list") for a in exported] == [
        "实有房屋",
        "实有单位",
    ]


def test_the_territory_subtree_exports_in_the_import_columns(client: Client, city: Any) -> None:
    client.force_login(city.bob)

    rows = read_xlsx(body(client.get(f"/exchange/exports/nodes/{city.comm_a1.pk}/")))

    assert rows[0] == ("层级", "编码", "名称", "上级编码", "网格类型", "经度", "纬度", "地址")
    codes = [r[1] for r in rows[1:]]
    assert codes[0] == city.comm_a1.code and city.grid_a1_1.code in codes
    assert city.grid_b1_1.code not in codes
    grid_row = next(r for r in rows if r[1] == city.grid_a1_1.code)
    assert grid_row[0] == "网格" and grid_row[3] == city.comm_a1.code and grid_row[4] == "综合网格"
    assert AuditLog.objects.filter(verb="exchange.exported", node_path=city.comm_a1.path).count() == 1


def test_carol_cannot_export_a1(client: Client, city: Any) -> None:
    client.force_login(city.carol)
    assert client.get(f"/exchange/exports/nodes/{city.comm_a1.pk}/").status_code == 404
    assert not AuditLog.objects.filter(verb="exchange.exported").exists()


def test_positions_export_masks_phones(client: Client, city: Any) -> None:
    territory.position_create(
        actor=city.bob,
        node=city.grid_a1_1,
        post=Post.GRID_LEADER,
        holder_name="王丽",
        start_date=date(2024, 1, 1),
        phone="13700002222",
    )
    client.force_login(city.bob)

    rows = read_xlsx(body(client.get(f"/exchange/exports/positions/{city.comm_a1.pk}/")))

    assert rows[1][2:5] == ("网格长", "王丽", "137****2222")


def test_the_generic_helper_exports_any_rows(city: Any) -> None:
    response = xlsx_response(
        actor=city.dave, list_name="测试清单", headers=["甲", "乙"], rows=[(1, "x"), (None, "y")]
    )
    assert read_xlsx(response.content) == [("甲", "乙"), (1, "x"), (None, "y")]
    audit = AuditLog.objects.get(verb="exchange.exported")
    assert audit.after == {"list": "测试清单", "rows": 2, "columns": ["甲", "乙"]}
    assert audit.node_path == city.district.path
