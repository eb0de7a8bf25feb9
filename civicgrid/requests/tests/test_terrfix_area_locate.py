"""A point inside a subdistrict or community polygon but outside every grid is filed on that
area (a newly imported county has those polygons long before its grids), and the 属地 rule
dispatches it to that subdistrict's unit."""

from typing import Any

import pytest

from civicgrid.conftest import square
from civicgrid.requests import services
from civicgrid.requests.constants import AssignmentRole
from civicgrid.requests.models import WorkOrder
from civicgrid.territory import services as territory
from civicgrid.territory.locator import locator

pytestmark = pytest.mark.django_db

# Around 通江一网格 (120.32-120.34, 31.57-31.59), reaching east and north of every grid.
SUB_B_AREA = square(120.32, 31.57, 120.46, 31.66)
COMM_B1_AREA = square(120.32, 31.57, 120.42, 31.62)


@pytest.fixture(autouse=True)
def _check_every_time(settings: Any) -> None:
    settings.LOCATOR_CHECK_SECONDS = 0  # see each polygon change at once (as after 2 s)


def test_request_inside_a_subdistrict_without_grids_lands_on_it(hotline: Any) -> None:
    c = hotline.city
    assert locator.locate(120.45, 31.65) is None  # the index is built before the polygon comes
    territory.node_update(actor=c.sysadmin, node=c.sub_b, geometry=SUB_B_AREA)
    request = services.request_create(actor=c.olivia, data=hotline.new(lon=120.45, lat=31.65))
    assert request.node == c.sub_b
    assert request.lead_unit == hotline.sub_b_unit
    orders = {(wo.unit_id, wo.role) for wo in WorkOrder.objects.filter(request=request)}
    assert (hotline.sub_b_unit.pk, AssignmentRole.LEAD) in orders


def test_community_before_subdistrict_and_grid_before_both(hotline: Any) -> None:
    c = hotline.city
    territory.node_update(actor=c.sysadmin, node=c.sub_b, geometry=SUB_B_AREA)
    territory.node_update(actor=c.sysadmin, node=c.comm_b1, geometry=COMM_B1_AREA)
    request = services.request_create(actor=c.olivia, data=hotline.new(lon=120.41, lat=31.61))
    assert request.node == c.comm_b1
    assert request.lead_unit == hotline.sub_b_unit
    found = locator.locate(120.41, 31.61)
    assert found is not None and not found.in_grid
    assert found.as_dict()["grid"] is None
    assert found.as_dict()["subdistrict"]["id"] == c.sub_b.pk
    # Inside a grid, the grid still wins.
    assert services.request_create(actor=c.olivia, data=hotline.new()).node == c.grid_a1_1


def test_deactivated_area_is_not_located(hotline: Any) -> None:
    c = hotline.city
    territory.node_update(actor=c.sysadmin, node=c.comm_b1, geometry=COMM_B1_AREA)
    assert locator.locate(120.41, 31.61) is not None
    territory.node_deactivate(actor=c.sysadmin, node=c.comm_b1)
    assert locator.locate(120.41, 31.61) is None


def test_a_sliver_between_the_grids_of_the_area_goes_to_the_nearest_grid(hotline: Any) -> None:
    """A point just outside 通江一网格 (ends at 120.34) but inside 通江社区, which holds that grid:
    a gap between hand-drawn grids, given to the nearest grid as before (within 200 m); a point
    of 通江社区 farther from every grid is the community's."""
    c = hotline.city
    territory.node_update(actor=c.sysadmin, node=c.comm_b1, geometry=COMM_B1_AREA)
    sliver = locator.locate(120.3405, 31.58)  # about 50 m east of the grid
    assert sliver is not None and sliver.in_grid and sliver.grid.id == c.grid_b1_1.pk
    far = locator.locate(120.40, 31.60)
    assert far is not None and not far.in_grid and far.grid.id == c.comm_b1.pk


def test_a_grid_of_another_area_near_the_point_does_not_take_it(hotline: Any) -> None:
    """A point of 五爱社区 (no grid of its own there) 50 m from 通江社区's grid: 五爱社区's."""
    c = hotline.city
    territory.node_update(actor=c.sysadmin, node=c.grid_a2_1, geometry=square(120.355, 31.59, 120.36, 31.60))
    territory.node_update(actor=c.sysadmin, node=c.comm_a2, geometry=square(120.345, 31.56, 120.36, 31.60))
    found = locator.locate(120.3455, 31.58)  # 50 m east of 通江一网格, inside 五爱社区
    assert found is not None and not found.in_grid and found.grid.id == c.comm_a2.pk
