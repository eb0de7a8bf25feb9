"""The compound's page lists the recent requests located in the compound (its node and its
buildings) that the reader may see, and the three-party councils held on them with their
request numbers; a request elsewhere in the grid is not the compound's."""

from datetime import date
from itertools import count
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.property.tests.conftest import World
from civicgrid.requests.models import CouncilOutcome, Request
from civicgrid.territory import services as territory
from civicgrid.territory.models import Node, NodeKind

pytestmark = pytest.mark.django_db
_numbers = count(1)


def make_request(node: Node, title: str) -> Request:
    return Request.objects.create(
        number=f"20260101-{next(_numbers):06d}",
        channel="hotline",
        type="complaint",
        title=title,
        content="测试内容",
        node=node,
        node_path=node.path,
        received_at=timezone.now(),
    )


def page(user: Any, compound: Node) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/property/compounds/{compound.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_compound_page_lists_its_requests_and_councils(world: World) -> None:
    c = world.city
    building = territory.node_create(
        actor=c.sysadmin, kind=NodeKind.BUILDING, name="1幢", parent=world.shengli
    )
    inside = make_request(building, "胜利门花园电梯故障")
    make_request(c.grid_a1_1, "网格里别处的路灯")
    CouncilOutcome.objects.create(
        request=inside,
        held_on=date(2026, 1, 5),
        party_branch="王书记",
        owners_committee="李主任",
        property_company="绿城物业张经理",
        outcome="物业两周内更换电梯主板",
        recorded_by=c.bob,
    )
    html = page(c.bob, world.shengli)
    assert inside.number in html and "胜利门花园电梯故障" in html
    assert "网格里别处的路灯" not in html
    assert "物业两周内更换电梯主板" in html and "三方议事" in html
    councils = html.split("三方议事</h2>", 1)[1]
    assert inside.number in councils.split("</table>", 1)[0]


def test_nothing_to_show_says_so(world: World) -> None:
    html = page(world.city.bob, world.shengli)
    assert "暂无您可查看的诉求" in html and "暂无您可查看的三方议事记录" in html
