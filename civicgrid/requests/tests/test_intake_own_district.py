"""One installation may hold two districts: a staff member files requests of their own
district only (a point of another would be that district's, dispatched to its units and
readable by its filer); within their district anywhere; the system's intake anywhere."""

from typing import Any

import pytest

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role
from civicgrid.conftest import make_user, square
from civicgrid.core.errors import ValidationError
from civicgrid.requests import services
from civicgrid.requests.models import Request
from civicgrid.requests.permissions import SYSTEM
from civicgrid.territory import services as territory
from civicgrid.territory.locator import locator
from civicgrid.territory.models import Node, NodeKind

pytestmark = pytest.mark.django_db


def second_district(city: Any) -> Node:
    def node(kind: str, name: str, parent: Node, code: str = "", **kw: Any) -> Node:
        return territory.node_create(
            actor=city.sysadmin, kind=kind, name=name, parent=parent, code=code, **kw
        )

    d = node(NodeKind.DISTRICT, "锡山区", city.city, "320205000000")
    s = node(NodeKind.SUBDISTRICT, "东亭街道", d, "320205001000")
    c = node(NodeKind.COMMUNITY, "东亭社区", s, "320205001001")
    grid = node(NodeKind.GRID, "东亭一网格", c, geometry=square(120.40, 31.57, 120.41, 31.58))
    locator.invalidate()
    return grid


def test_an_operator_is_refused_a_point_of_another_district_and_nothing_is_written(hotline: Any) -> None:
    second_district(hotline.city)
    with pytest.raises(ValidationError) as exc:
        services.request_create(actor=hotline.city.olivia, data=hotline.new(lon=120.405, lat=31.575))
    assert exc.value.errors["lon"] == ["该位置属于 东亭一网格，不在您所在的区（县），请核对位置"]
    assert not Request.objects.exists()


def test_a_grid_worker_reports_across_the_street_in_the_same_district(hotline: Any) -> None:
    second_district(hotline.city)
    worker = make_user("gw", "网格员")
    accounts.role_grant(
        actor=None, system=True, user=worker, role=Role.GRID_WORKER, node=hotline.city.grid_a1_1
    )
    # 通江一网格 is another subdistrict's grid, but in the worker's district.
    filed = services.request_create(
        actor=worker, data=hotline.new(channel="grid_worker", lon=120.33, lat=31.58, category=None)
    )
    assert filed.node == hotline.city.grid_b1_1


def test_the_systems_intake_and_a_city_operator_file_anywhere(hotline: Any) -> None:
    grid = second_district(hotline.city)
    resident = services.request_create(actor=SYSTEM, data=hotline.new(channel="web", lon=120.405, lat=31.575))
    assert resident.node == grid
    city_operator = make_user("cityop", "市热线")
    accounts.role_grant(
        actor=None, system=True, user=city_operator, role=Role.OPERATOR, node=hotline.city.city
    )
    filed = services.request_create(actor=city_operator, data=hotline.new(lon=120.405, lat=31.575))
    assert filed.node == grid


def test_a_second_district_is_told_it_shares_the_default_departments(city: Any) -> None:
    from civicgrid.requests import units

    first = units.departments_install_default(actor=None, district=city.district, system=True)
    assert first.created and first.shared_from == []
    grid = second_district(city)
    district = Node.objects.get(pk=int(grid.path.strip("/").split("/")[1]))
    second = units.departments_install_default(actor=None, district=district, system=True)
    assert second.created == [] and second.existing == len(first.created)
    assert second.shared_from == ["梁溪区"]
