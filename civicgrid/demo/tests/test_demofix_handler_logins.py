"""``civicgrid demo --logins`` lists the units' handler accounts (handler-*) too, one line each
with the user name and the units it acts for, after the base accounts."""

from typing import Any

import pytest

from civicgrid.conftest import make_user
from civicgrid.demo.maintenance import logins_table
from civicgrid.requests.constants import UnitKind
from civicgrid.requests.models import HandlingUnit, UnitMembership

pytestmark = pytest.mark.django_db


def test_logins_list_the_unit_handler_accounts(city: Any) -> None:
    make_user("operator", "周静")
    chengguan = HandlingUnit.objects.create(
        code="B01",
        name="区城管局",
        kind=UnitKind.DEPARTMENT,
        node=city.district,
        node_path=city.district.path,
    )
    water = HandlingUnit.objects.create(
        code="E01",
        name="市自来水公司",
        kind=UnitKind.ENTERPRISE,
        node=city.district,
        node_path=city.district.path,
    )
    for username, unit in (("handler-b01", chengguan), ("handler-e01", water)):
        UnitMembership.objects.create(user=make_user(username, "杜兰"), unit=unit, is_approver=True)
    lines = logins_table()
    assert lines[0].startswith("演示账号")
    assert any(line.split() == ["operator", "demo12345", "（无角色）", "周静", "—"] for line in lines)
    handlers = [line.split() for line in lines if "handler-" in line]
    assert handlers == [["handler-b01", "区城管局"], ["handler-e01", "市自来水公司"]]
