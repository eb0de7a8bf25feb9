"""Red property on top of the shared test city (``civicgrid/conftest.py``).

* Compounds: ``shengli`` (胜利门花园, grid A1-1, bob's community), ``wuai`` (五爱新村,
  grid A2-1: same subdistrict, not bob's) and ``tongjiang`` (通江苑, grid B1-1, carol's).
* Property companies registered at the district: ``lvcheng`` (梁溪绿城物业) and
  ``anju`` (安居物业); ``shop`` is an ordinary shop, not a property company.
* ``hank``: a leader of 崇安寺街道 (subdistrict A), who may award and deduct credit there (as may
  a handler of the subdistrict office; a department's handler on the district may not);
  ``dave`` (district leader) may do so for the whole district; bob and carol may not.
* ``zhou``: a resident of 胜利门花园, candidate for its owners' committee.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role, User
from civicgrid.conftest import City, make_user
from civicgrid.core.models import AuditLog
from civicgrid.property import services
from civicgrid.property.models import ServiceContract
from civicgrid.registry import services as registry
from civicgrid.registry.models import Organisation, OrganisationKind, Resident
from civicgrid.territory import services as territory
from civicgrid.territory.models import Node, NodeKind


@dataclass
class World:
    city: City
    shengli: Node
    wuai: Node
    tongjiang: Node
    lvcheng: Organisation
    anju: Organisation
    shop: Organisation
    hank: User
    zhou: Resident

    def start(
        self, compound: Node | None = None, company: Organisation | None = None, days_ago: int = 400
    ) -> ServiceContract:
        compound = compound or self.shengli
        actor = self.city.carol if compound.path.startswith(self.city.comm_b1.path) else self.city.dave
        return services.contract_start(
            actor=actor,
            compound=compound,
            company=company or self.lvcheng,
            starts_on=timezone.localdate() - timedelta(days=days_ago),
        )


def company(node: Node, name: str, kind: str = OrganisationKind.PROPERTY_COMPANY) -> Organisation:
    return Organisation.objects.create(node=node, node_path=node.path, name=name, kind=kind)


@pytest.fixture
def world(city: City) -> World:
    c = city

    def compound(name: str, grid: Node) -> Node:
        return territory.node_create(actor=c.sysadmin, kind=NodeKind.COMPOUND, name=name, parent=grid)

    hank = make_user("hank", "韩街道")
    accounts.role_grant(actor=None, system=True, user=hank, role=Role.LEADER, node=c.sub_a)
    shengli = compound("胜利门花园", c.grid_a1_1)
    zhou = registry.resident_create(actor=c.bob, node=shengli, name="周业主")
    return World(
        city=c,
        shengli=shengli,
        wuai=compound("五爱新村", c.grid_a2_1),
        tongjiang=compound("通江苑", c.grid_b1_1),
        lvcheng=company(c.district, "梁溪绿城物业"),
        anju=company(c.district, "安居物业"),
        shop=company(c.grid_a1_1, "胜利门便民超市", OrganisationKind.SHOP),
        hank=hank,
        zhou=zhou,
    )


def audit_count(prefix: str = "property.") -> int:
    return AuditLog.objects.filter(verb__startswith=prefix).count()


def today() -> date:
    return timezone.localdate()


__all__ = ["Any", "World", "audit_count", "today"]
