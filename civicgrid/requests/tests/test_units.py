"""Handling units, staff and dispatch rules; the default set-up routes real requests."""

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from civicgrid.conftest import make_user
from civicgrid.core.errors import PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.requests import catalogue, units
from civicgrid.requests.constants import AssignmentRole, Status, UnitKind
from civicgrid.requests.defaults import DEFAULT_DEPARTMENTS
from civicgrid.requests.models import (
    CatalogueVersion,
    Category,
    DispatchRule,
    HandlingUnit,
    UnitMembership,
    WorkOrder,
)
from civicgrid.requests.permissions import unit_ids
from civicgrid.requests.services import NewRequest, request_create
from civicgrid.territory.locator import locator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_locator() -> None:
    """Grid ids differ between tests on PostgreSQL; the locator's cache must not outlive one."""
    locator.invalidate()


Target = DispatchRule.Target


def territorial() -> dict[str, HandlingUnit]:
    """The units of districts, subdistricts and communities by their node's name."""
    kinds = [UnitKind.DISTRICT, UnitKind.SUBDISTRICT, UnitKind.COMMUNITY]
    return {u.node.name: u for u in HandlingUnit.objects.filter(kind__in=kinds).select_related("node")}


def test_units_from_territory_follow_the_tree_and_are_idempotent(city: Any) -> None:
    result = units.units_from_territory(actor=city.sysadmin)
    assert len(result.created) == 6 and result.existing == 0  # 1 district, 2 subdistricts, 3 communities
    made = territorial()
    district, sub_a, a1 = made["梁溪区"], made["崇安寺街道"], made["胜利门社区"]
    assert (district.kind, district.code, district.name) == (
        UnitKind.DISTRICT,
        "320213000000",
        "梁溪区人民政府",
    )
    assert (sub_a.kind, sub_a.code, sub_a.name, sub_a.parent) == (
        UnitKind.SUBDISTRICT,
        "320213001000",
        "崇安寺街道办事处",
        district,
    )
    assert (a1.kind, a1.name, a1.parent, a1.node_path) == (
        UnitKind.COMMUNITY,
        "胜利门社区居委会",
        sub_a,
        city.comm_a1.path,
    )
    audits = AuditLog.objects.filter(verb=units.Verb.UNIT_CREATED).count()
    assert audits == 6
    again = units.units_from_territory(actor=city.sysadmin)
    assert again.created == [] and again.existing == 6
    assert HandlingUnit.objects.count() == 6
    assert AuditLog.objects.filter(verb=units.Verb.UNIT_CREATED).count() == audits


def test_default_departments_are_installed_once_with_the_catalogue_codes(city: Any) -> None:
    units.units_from_territory(actor=city.sysadmin)
    result = units.departments_install_default(actor=city.sysadmin, district=city.district)
    assert len(result.created) == len(DEFAULT_DEPARTMENTS)
    chengguan = HandlingUnit.objects.get(code="CGJ")
    assert (chengguan.name, chengguan.kind, chengguan.node) == (
        "梁溪区城市管理局",
        UnitKind.DEPARTMENT,
        city.district,
    )
    assert chengguan.parent and chengguan.parent.kind == UnitKind.DISTRICT
    water = HandlingUnit.objects.get(code="GS")
    assert (water.name, water.kind, water.parent) == ("无锡市供水有限公司", UnitKind.ENTERPRISE, None)
    again = units.departments_install_default(actor=city.sysadmin, district=city.district)
    assert again.created == [] and again.existing == len(DEFAULT_DEPARTMENTS)
    with pytest.raises(ValidationError):
        units.departments_install_default(actor=city.sysadmin, district=city.sub_a)


def setup_default(city: Any) -> None:
    units.units_from_territory(actor=city.sysadmin)
    units.departments_install_default(actor=city.sysadmin, district=city.district)
    catalogue.catalogue_load_default(actor=city.sysadmin)
    units.default_rules_install(actor=city.sysadmin)


def new(category: Category, **kw: Any) -> NewRequest:
    data: dict[str, Any] = {
        "channel": "hotline",
        "type": "complaint",
        "title": "诉求",
        "content": "诉求内容",
        "lon": 120.305,  # inside grid A1-1
        "lat": 31.575,
        "requester_phone": "13812345678",
        "category": category,
    }
    return NewRequest(**(data | kw))


def current_leaf(name: str) -> Category:
    return Category.objects.get(version__is_current=True, level=3, name=name)


def test_default_rules_route_by_place_or_catalogue_unit_and_are_idempotent(city: Any) -> None:
    setup_default(city)
    assert list(DispatchRule.objects.values_list("name", "target")) == [
        ("目录指定责任单位", Target.CATEGORY_UNIT),
        ("属地街道（梁溪区）", Target.LOCATION_SUBDISTRICT),
    ]
    assert units.default_rules_install(actor=city.sysadmin) == []
    assert DispatchRule.objects.count() == 2
    made = territorial()

    lift = request_create(actor=city.olivia, data=new(current_leaf("电梯故障")))
    assert lift.status == Status.DISPATCHED and lift.lead_unit == made["崇安寺街道"]
    orders = {(wo.unit_id, wo.role) for wo in WorkOrder.objects.filter(request=lift)}
    assert orders == {(made["崇安寺街道"].pk, AssignmentRole.LEAD), (made["梁溪区"].pk, AssignmentRole.COPY)}

    vending = request_create(actor=city.olivia, data=new(current_leaf("占道经营")))
    assert vending.lead_unit == HandlingUnit.objects.get(code="CGJ")
    assert vending.due_resolution_at and vending.dispatched_at
    assert (vending.due_resolution_at - vending.dispatched_at).total_seconds() == 4 * 3600

    water = request_create(actor=city.olivia, data=new(current_leaf("停水"), lon=120.33, lat=31.58))
    assert water.lead_unit == HandlingUnit.objects.get(code="GS")
    in_b = request_create(actor=city.olivia, data=new(current_leaf("电梯故障"), lon=120.33, lat=31.58))
    assert in_b.lead_unit == made["通江街道"]


def test_load_default_before_the_departments_is_linked_by_setup(city: Any) -> None:
    out = StringIO()
    call_command("catalogue", "load-default", stdout=out)
    assert "已发布派单目录第1版" in out.getvalue() and "尚未建立" in out.getvalue()
    assert current_leaf("占道经营").responsible_unit is None
    call_command("catalogue", "load-default", stdout=out)
    assert "未做改动" in out.getvalue() and CatalogueVersion.objects.count() == 1
    out = StringIO()
    call_command("catalogue", "setup", stdout=out)
    assert "派单目录已发布第2版" in out.getvalue()
    vending = current_leaf("占道经营")
    assert vending.responsible_unit and vending.responsible_unit.code == "CGJ"
    assert vending.code == Category.objects.get(version__number=1, level=3, name="占道经营").code
    request = request_create(actor=city.olivia, data=new(vending))
    assert request.lead_unit == vending.responsible_unit
    call_command("catalogue", "setup", stdout=StringIO())  # again: nothing new
    assert CatalogueVersion.objects.count() == 2 and DispatchRule.objects.count() == 2


def test_export_and_import_commands(city: Any, tmp_path: Path) -> None:
    call_command("catalogue", "setup", stdout=StringIO())
    target = tmp_path / "catalogue.xlsx"
    call_command("catalogue", "export", str(target), stdout=StringIO())
    out = StringIO()
    call_command("catalogue", "import", str(target), "--note", "原样导回", stdout=out)
    assert "与当前第1版完全相同，未发布新版本" in out.getvalue()
    assert CatalogueVersion.objects.count() == 1
    book = load_workbook(target)
    book["派单目录"]["O2"] = "新关键词"
    book.save(target)
    out = StringIO()
    call_command("catalogue", "import", str(target), "--note", "改了一处", stdout=out)
    assert "已发布派单目录第2版" in out.getvalue()
    v1, v2 = CatalogueVersion.objects.order_by("number")
    assert [r["level3"] for r in catalogue.catalogue_rows(v1)] == [
        r["level3"] for r in catalogue.catalogue_rows(v2)
    ]


def test_unit_create_validates_and_audits(city: Any) -> None:
    unit = units.unit_create(
        actor=city.sysadmin, code="JYJ2", name="区教育局", kind=UnitKind.DEPARTMENT, node=city.district
    )
    assert unit.node_path == city.district.path
    assert AuditLog.objects.filter(verb=units.Verb.UNIT_CREATED, target_id=str(unit.pk)).exists()
    with pytest.raises(ValidationError) as info:
        units.unit_create(actor=city.sysadmin, code="JYJ2", name="", kind="nope", node=city.comm_a1)
    assert set(info.value.errors) == {"code", "name", "kind"}
    with pytest.raises(ValidationError) as info:
        units.unit_create(
            actor=city.sysadmin, code="X 1", name="街道", kind=UnitKind.SUBDISTRICT, node=city.comm_a1
        )
    assert set(info.value.errors) == {"code", "node"}
    with pytest.raises(PermissionDenied):
        units.unit_create(
            actor=city.olivia, code="Z9", name="某单位", kind=UnitKind.DEPARTMENT, node=city.district
        )
    assert HandlingUnit.objects.count() == 1
    assert AuditLog.objects.filter(verb=units.Verb.UNIT_CREATED).count() == 1


def test_unit_members_are_added_once_and_only_by_the_system_administrator(city: Any) -> None:
    units.units_from_territory(actor=city.sysadmin)
    sub_a = territorial()["崇安寺街道"]
    hank = make_user("hank", "韩军")
    assert unit_ids(hank) == set()
    with pytest.raises(PermissionDenied):
        units.unit_member_add(actor=city.olivia, unit=sub_a, user=hank)
    assert not UnitMembership.objects.exists()
    assert not AuditLog.objects.filter(verb__startswith="requests.unit_member").exists()
    membership = units.unit_member_add(actor=city.sysadmin, unit=sub_a, user=hank)
    assert not membership.is_approver and unit_ids(hank) == {sub_a.pk}
    units.unit_member_add(actor=city.sysadmin, unit=sub_a, user=hank)  # same again: nothing to do
    assert AuditLog.objects.filter(verb=units.Verb.UNIT_MEMBER_ADDED).count() == 1
    units.unit_member_add(actor=city.sysadmin, unit=sub_a, user=hank, is_approver=True)
    assert UnitMembership.objects.get().is_approver
    updated = AuditLog.objects.get(verb=units.Verb.UNIT_MEMBER_UPDATED)
    assert updated.before == {"is_approver": False, "phone": ""}
    assert (updated.after or {})["is_approver"] is True


def test_dispatch_rule_validation(city: Any) -> None:
    setup_default(city)
    chengguan = HandlingUnit.objects.get(code="CGJ")
    code = current_leaf("占道经营").code
    rule = units.dispatch_rule_create(
        actor=city.sysadmin,
        name="占道经营派城管",
        target=Target.UNIT,
        unit=chengguan,
        category_prefix=code[:4],
        area=city.sub_a,
        priority=5,
    )
    assert AuditLog.objects.filter(verb=units.Verb.DISPATCH_RULE_CREATED, target_id=str(rule.pk)).exists()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"target": Target.UNIT}, "unit"),
        ({"target": Target.LOCATION_SUBDISTRICT, "unit": chengguan}, "unit"),
        ({"target": Target.CATEGORY_UNIT, "category_prefix": "1"}, "category_prefix"),
        ({"target": Target.CATEGORY_UNIT, "category_prefix": "99"}, "category_prefix"),
        ({"target": "somewhere"}, "target"),
        ({"target": Target.CATEGORY_UNIT, "priority": 10**6}, "priority"),
    ]
    before = DispatchRule.objects.count()
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as info:
            units.dispatch_rule_create(actor=city.sysadmin, name="坏规则", **kwargs)
        assert field in info.value.errors, kwargs
    with pytest.raises(PermissionDenied):
        units.dispatch_rule_create(actor=city.dave, name="领导的规则", target=Target.CATEGORY_UNIT)
    assert DispatchRule.objects.count() == before
    assert AuditLog.objects.filter(verb=units.Verb.DISPATCH_RULE_CREATED).count() == before
