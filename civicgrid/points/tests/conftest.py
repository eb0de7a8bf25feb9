"""The points world: residents and a partner unit of 胜利门社区 (A1), one resident of 通江 (B1).

* ``erin`` and ``frank``: residents of A1 (``erin`` can sign in as ``erin_user``);
* ``gina``: a resident of B1 (the outsider community);
* ``unit``: 胜利门便民超市, a partner unit of A1 that donates goods;
* ``soap``: goods of A1's shop (10 points, stock 5).
"""

from dataclasses import dataclass
from typing import Any

import pytest

from civicgrid.accounts.models import User
from civicgrid.conftest import City
from civicgrid.core.models import AuditLog
from civicgrid.points import services
from civicgrid.points.models import Goods, Movement, Redemption
from civicgrid.registry import services as registry
from civicgrid.registry.models import Organisation, Resident


@dataclass
class PointsWorld:
    city: City
    erin: Resident
    erin_user: User
    frank: Resident
    gina: Resident
    gina_user: User
    unit: Organisation
    soap: Goods


def build_points_world(c: City) -> PointsWorld:
    erin = registry.resident_create(actor=c.bob, node=c.grid_a1_1, name="张小燕")
    frank = registry.resident_create(actor=c.bob, node=c.grid_a1_2, name="李大方")
    gina = registry.resident_create(actor=c.carol, node=c.grid_b1_1, name="王通江")
    erin_user = registry.resident_account_open(
        actor=c.bob, resident=erin, username="erin", password="civicgrid-test-pw"
    )
    gina_user = registry.resident_account_open(
        actor=c.carol, resident=gina, username="gina", password="civicgrid-test-pw"
    )
    unit = registry.organisation_create(actor=c.bob, node=c.grid_a1_1, name="胜利门便民超市", kind="shop")
    soap = services.goods_create(actor=c.bob, node=c.comm_a1, name="洗衣皂", price=10, stock=5, donor=unit)
    return PointsWorld(c, erin, erin_user, frank, gina, gina_user, unit, soap)


@pytest.fixture
def pw(city: City) -> PointsWorld:
    return build_points_world(city)


def counts() -> dict[str, int]:
    """What a refused action must leave unchanged."""
    return {
        "movements": Movement.objects.count(),
        "redemptions": Redemption.objects.count(),
        "audit": AuditLog.objects.count(),
        "stock": sum(Goods.objects.values_list("stock", flat=True)),
    }


def earn(pw: PointsWorld, holder: Any, amount: int, ref: str) -> Movement:
    return services.points_earn(
        actor=pw.city.bob, holder=holder, amount=amount, source="test", source_ref=ref, node=pw.city.grid_a1_1
    )
