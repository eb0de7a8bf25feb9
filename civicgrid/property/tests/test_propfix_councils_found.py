"""Requests and three-party councils concerning a compound: the compound page finds those
located in it, those whose building is one of its buildings, and those located in the area
holding it whose address names it; the company page lists those of the compounds it served
when each request was received (a handover day goes to the incoming company), with counts."""

from datetime import datetime, timedelta
from itertools import count
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.property import selectors, services
from civicgrid.property.constants import ExitReason
from civicgrid.property.tests.conftest import World
from civicgrid.requests.models import CouncilOutcome, Request
from civicgrid.territory import services as territory
from civicgrid.territory.models import Node, NodeKind

pytestmark = pytest.mark.django_db
_numbers = count(1)


def make_request(
    node: Node, title: str, *, address: str = "", building: Node | None = None, days_ago: int = 0
) -> Request:
    received = timezone.now() - timedelta(days=days_ago)
    return Request.objects.create(
        number=f"20260202-{next(_numbers):06d}",
        channel="hotline",
        type="complaint",
        title=title,
        content="测试内容",
        address=address,
        building=building,
        node=node,
        node_path=node.path,
        received_at=received,
    )


def council(req: Request, outcome: str, recorded_by: Any) -> CouncilOutcome:
    return CouncilOutcome.objects.create(
        request=req,
        held_on=timezone.localdate(req.received_at),
        party_branch="王书记",
        owners_committee="李主任",
        property_company="张经理",
        outcome=outcome,
        recorded_by=recorded_by,
    )


def get(user: Any, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, heading: str) -> str:
    return html.split(heading, 1)[1].split("</table>", 1)[0]


def test_the_compound_page_finds_grid_requests_by_building_or_address(world: World) -> None:
    c = world.city
    grid = c.grid_a1_1
    building = territory.node_create(
        actor=c.sysadmin, kind=NodeKind.BUILDING, name="2幢", parent=world.shengli
    )
    by_address = make_request(grid, "车位纠纷", address="崇安寺胜利门花园3号楼门口")
    by_building = make_request(grid, "楼道灯坏", building=building)
    elsewhere = make_request(grid, "路边垃圾", address="胜利路100号附近")
    other_grid = make_request(c.grid_a2_1, "别处同名", address="胜利门花园")  # not the compound's area
    council(by_address, "三方议定车位登记管理", c.bob)
    council(elsewhere, "与小区无关的议事", c.bob)
    found = set(selectors.compound_requests(c.bob, world.shengli).values_list("pk", flat=True))
    assert by_address.pk in found and by_building.pk in found
    assert elsewhere.pk not in found and other_grid.pk not in found
    html = get(c.bob, f"/property/compounds/{world.shengli.pk}/")
    assert by_address.number in html and by_building.number in html and elsewhere.number not in html
    councils = section(html, "三方议事</h2>")
    assert "三方议定车位登记管理" in councils and "与小区无关的议事" not in councils
    assert "三方议事共 1 次" in html


def test_a_short_name_is_not_looked_for_in_addresses(world: World) -> None:
    c = world.city
    short = territory.node_create(actor=c.sysadmin, kind=NodeKind.COMPOUND, name="花园", parent=c.grid_a1_1)
    req = make_request(c.grid_a1_1, "噪音", address="胜利门花园1号楼")
    assert not selectors.compound_requests(c.bob, short).filter(pk=req.pk).exists()


def test_the_company_page_lists_requests_and_councils_of_the_compounds_it_served(world: World) -> None:
    c = world.city
    today = timezone.localdate()
    if today.month == 1 and today.day <= 20:
        pytest.skip("needs twenty days of this year")
    entered = today - timedelta(days=10)
    contract = services.contract_start(
        actor=c.dave, compound=world.shengli, company=world.lvcheng, starts_on=entered
    )
    before = make_request(c.grid_a1_1, "进驻前的投诉", address="胜利门花园北门", days_ago=15)
    served = make_request(c.grid_a1_1, "物业服务投诉", address="胜利门花园北门", days_ago=2)
    served_council = council(served, "物业限期整改", c.bob)
    council(before, "进驻前的议事", c.bob)
    other = make_request(c.grid_a2_1, "五爱新村的事", address="五爱新村1号楼", days_ago=2)
    found = set(selectors.company_requests(c.dave, world.lvcheng, today.year).values_list("pk", flat=True))
    assert found == {served.pk}
    html = get(c.dave, f"/property/companies/{world.lvcheng.pk}/?year={today.year}")
    listed = section(html, "年所服务小区的诉求（辖区内）</h2>")
    assert served.number in listed and before.number not in listed and other.number not in listed
    assert "共 1 件" in listed and "其中三方议事 1 次" in listed
    councils = section(html, "年三方议事（辖区内）</h2>")
    assert served_council.outcome in councils and "进驻前的议事" not in councils
    # handover: the outgoing company keeps the days up to the day before, the incoming one
    # has the handover day
    handover = today - timedelta(days=1)
    services.contract_end(
        actor=c.dave,
        contract=contract,
        ends_on=handover,
        reason=ExitReason.EXPIRED,
        note="",
        expected_version=None,
    )
    services.contract_start(actor=c.dave, compound=world.shengli, company=world.anju, starts_on=handover)
    on_handover = make_request(c.grid_a1_1, "交接当天的投诉", address="胜利门花园南门", days_ago=0)
    Request.objects.filter(pk=on_handover.pk).update(
        received_at=timezone.make_aware(datetime.combine(handover, datetime.min.time())) + timedelta(hours=10)
    )
    outgoing = set(selectors.company_requests(c.dave, world.lvcheng, today.year).values_list("pk", flat=True))
    incoming = set(selectors.company_requests(c.dave, world.anju, today.year).values_list("pk", flat=True))
    assert outgoing == {served.pk} and incoming == {on_handover.pk}


def test_the_company_page_shows_no_request_outside_the_readers_scope(world: World) -> None:
    c = world.city
    world.start(world.tongjiang)
    req = make_request(c.grid_b1_1, "通江苑漏水", address="通江苑5号楼")
    year = timezone.localdate().year
    assert selectors.company_requests(c.carol, world.lvcheng, year).filter(pk=req.pk).exists()
    assert not selectors.company_requests(c.bob, world.lvcheng, year).exists()
