"""A hotline on top of the ``city`` fixture.

Units: the district (梁溪区), subdistricts A and B, community A1, and two departments
(城管局, 住建局) plus the water company. People: ``hank`` handles for subdistrict A,
``dora`` for 城管局, ``walt`` for the water company; ``olivia`` (operator) dispatches;
``alice`` (grid worker of grid A1-1) verifies; ``dave`` (district leader) supervises.
Catalogue v1 has a few leaves; rules send city management to 城管局, water to the
water company, and everything else to the subdistrict of the place.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role, User
from civicgrid.conftest import City, make_user
from civicgrid.requests.constants import ResponseTier, ResponsibleKind, UnitKind
from civicgrid.requests.models import CatalogueVersion, Category, DispatchRule, HandlingUnit, UnitMembership
from civicgrid.requests.services import NewRequest
from civicgrid.territory.locator import locator
from civicgrid.workcal.constants import LimitUnit


@dataclass
class Hotline:
    city: City
    district_unit: HandlingUnit
    sub_a_unit: HandlingUnit
    sub_b_unit: HandlingUnit
    comm_a1_unit: HandlingUnit
    chengguan: HandlingUnit
    zhujian: HandlingUnit
    water: HandlingUnit
    hank: User
    dora: User
    walt: User
    version: CatalogueVersion
    lift: Category
    street_vending: Category
    water_outage: Category
    noise: Category
    policy_question: Category

    def new(self, **kw: Any) -> NewRequest:
        defaults: dict[str, Any] = {
            "channel": "hotline",
            "type": "complaint",
            "title": "电梯停运三天",
            "content": "3号楼电梯坏了没人修",
            "lon": 120.305,
            "lat": 31.575,
            "requester_name": "张三",
            "requester_phone": "13812345678",
            "category": self.lift,
        }
        defaults.update(kw)
        return NewRequest(**defaults)


def unit(code: str, name: str, kind: str, node: Any, parent: HandlingUnit | None = None) -> HandlingUnit:
    return HandlingUnit.objects.create(
        code=code, name=name, kind=kind, node=node, node_path=node.path, parent=parent
    )


def leaf(version: CatalogueVersion, code: str, names: tuple[str, str, str], **kw: Any) -> Category:
    parent = None
    for level, name in enumerate(names, start=1):
        part = code[: 2 * level]
        full = "/".join(names[:level])
        parent, _ = Category.objects.get_or_create(
            version=version,
            code=part,
            defaults={"name": name, "level": level, "parent": parent, "full_name": full},
        )
    assert parent is not None
    Category.objects.filter(pk=parent.pk).update(**kw)
    parent.refresh_from_db()
    return parent


@pytest.fixture
def hotline(city: City) -> Hotline:
    district_unit = unit("D01", "梁溪区人民政府", UnitKind.DISTRICT, city.district)
    sub_a = unit("S01", "崇安寺街道办事处", UnitKind.SUBDISTRICT, city.sub_a, district_unit)
    sub_b = unit("S02", "通江街道办事处", UnitKind.SUBDISTRICT, city.sub_b, district_unit)
    comm_a1 = unit("C01", "胜利门社区居委会", UnitKind.COMMUNITY, city.comm_a1, sub_a)
    chengguan = unit("B01", "区城管局", UnitKind.DEPARTMENT, city.district, district_unit)
    zhujian = unit("B02", "区住建局", UnitKind.DEPARTMENT, city.district, district_unit)
    water = unit("E01", "市自来水公司", UnitKind.ENTERPRISE, city.district)
    hank, dora, walt = make_user("hank", "韩军"), make_user("dora", "杜兰"), make_user("walt", "王涛")
    for user, u in ((hank, sub_a), (dora, chengguan), (walt, water)):
        UnitMembership.objects.create(user=user, unit=u, is_approver=True)
        accounts.role_grant(actor=None, system=True, user=user, role=Role.HANDLER, node=u.node)
    version = CatalogueVersion.objects.create(number=1, is_current=True)
    lift = leaf(
        version,
        "010101",
        ("城乡建设", "物业管理", "电梯故障"),
        needs_verification=True,
        response_tier=ResponseTier.TIER_2,
        response_limit=24,
        response_unit=LimitUnit.HOURS,
        resolution_limit=7,
        resolution_unit=LimitUnit.WORKING_DAYS,
    )
    vending = leaf(
        version,
        "020101",
        ("城市管理", "市容秩序", "占道经营"),
        responsible_kind=ResponsibleKind.DEPARTMENT,
        responsible_unit=chengguan,
        response_limit=2,
        response_unit=LimitUnit.HOURS,
        resolution_limit=4,
        resolution_unit=LimitUnit.HOURS,
    )
    water_cat = leaf(
        version,
        "030101",
        ("公共服务", "供水", "停水"),
        responsible_kind=ResponsibleKind.ENTERPRISE,
        responsible_unit=water,
        response_tier=ResponseTier.TIER_2,
        response_limit=2,
        response_unit=LimitUnit.HOURS,
        resolution_limit=24,
        resolution_unit=LimitUnit.HOURS,
    )
    noise = leaf(version, "040101", ("环境保护", "噪声", "夜间施工噪声"), needs_callback=False)
    question = leaf(version, "050101", ("政策咨询", "社会保障", "医保政策"))
    DispatchRule.objects.create(
        name="目录指定责任单位", priority=10, target=DispatchRule.Target.CATEGORY_UNIT, category_prefix="02"
    )
    DispatchRule.objects.create(
        name="供水找水务公司", priority=10, target=DispatchRule.Target.CATEGORY_UNIT, category_prefix="03"
    )
    rule = DispatchRule.objects.create(
        name="属地街道", priority=100, target=DispatchRule.Target.LOCATION_SUBDISTRICT, copy_to=district_unit
    )
    assert rule.pk
    return Hotline(
        city,
        district_unit,
        sub_a,
        sub_b,
        comm_a1,
        chengguan,
        zhujian,
        water,
        hank,
        dora,
        walt,
        version,
        lift,
        vending,
        water_cat,
        noise,
        question,
    )


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    """Rate-limit counters, the category list and one-time form results live in the cache;
    tests that go through the resident and console pages start clean
    (``pytestmark = [..., pytest.mark.usefixtures("fresh_cache")]``).

    The locator caches grids by geometry version, which a rolled-back test on PostgreSQL
    leaves equal while the grid ids move on; each test starts with a fresh one too.
    """
    cache.clear()
    locator.invalidate()
    yield
    cache.clear()
