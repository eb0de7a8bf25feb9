"""Governance-priority subdistricts count residents in one query, whatever their number.

A city of 300 subdistricts ran one COUNT of residents per subdistrict (311 queries, about 2 s
for a city leader); ``registry.selectors.residents_count_under_each`` counts them all at once,
with the same numbers as ``residents_count_under``."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role
from civicgrid.accounts.services import api_token_create
from civicgrid.conftest import City, make_user
from civicgrid.governance.seasonal import priority_month, priority_subdistricts
from civicgrid.registry.selectors import residents_count_under, residents_count_under_each
from civicgrid.registry.tests.factories import residents
from civicgrid.requests.tests.conftest import Hotline
from civicgrid.territory import services as territory
from civicgrid.territory.models import Node, NodeKind

pytestmark = pytest.mark.django_db


def add_subdistrict(city: City, k: int) -> Node:
    def node(kind: str, name: str, parent: Node, code: str = "", **kw: Any) -> Node:
        return territory.node_create(
            actor=city.sysadmin, kind=kind, name=name, parent=parent, code=code, **kw
        )

    code = f"320213{k + 10:03d}"
    sub = node(NodeKind.SUBDISTRICT, f"新街道{k}", city.district, f"{code}000")
    community = node(NodeKind.COMMUNITY, f"新社区{k}", sub, f"{code}001")
    residents(community, k + 1, inactive=2)
    residents(node(NodeKind.BUILDING, f"新楼{k}", community, lon=120.3, lat=31.6), 3)
    return sub


def test_same_numbers_as_one_node_at_a_time(city: City) -> None:
    residents(city.grid_a1_1, 7, inactive=3)
    residents(city.building_a1, 4, inactive=1)
    residents(city.grid_a2_1, 2)
    residents(city.comm_b1, 5, inactive=2)
    residents(city.district, 6)  # above every subdistrict: counted for none of them
    for k in range(3):
        add_subdistrict(city, k)
    nodes = list(Node.objects.order_by("path"))  # nested ones and paths of several lengths
    expected = {n.path: residents_count_under(n) for n in nodes}
    assert residents_count_under_each(nodes) == expected
    assert expected[city.sub_a.path] == 13 and expected[city.district.path] == 39
    subs = [n for n in nodes if n.kind == NodeKind.SUBDISTRICT]
    assert residents_count_under_each(subs) == {s.path: expected[s.path] for s in subs}
    assert residents_count_under_each([city.grid_a1_2]) == {city.grid_a1_2.path: 0}
    assert residents_count_under_each([]) == {}
    report = priority_subdistricts(city.dave, priority_month(""))
    assert {r.node.path: r.residents for r in report.rows} == {s.path: expected[s.path] for s in subs}


def queries(call: Any) -> int:
    with CaptureQueriesContext(connection) as done:
        answer = call()
    assert answer.status_code == 200, answer.content
    return len(done.captured_queries)


def test_query_count_does_not_grow_with_subdistricts(hotline: Hotline) -> None:
    city = hotline.city
    mayor = make_user("mayor", "市领导")
    accounts.role_grant(actor=None, system=True, user=mayor, role=Role.LEADER, node=city.city)
    residents(city.grid_a1_1, 4)
    residents(city.grid_b1_1, 3, inactive=1)
    callers = []
    for user in (city.dave, mayor):
        page = Client()
        page.force_login(user)
        _, token = api_token_create(actor=None, system=True, user=user, name="测试")
        api = Client(headers={"Authorization": f"Bearer {token}"})
        callers += [
            lambda page=page: page.get("/governance/priority/"),
            lambda api=api: api.get("/api/v1/governance/priority"),
        ]
    for call in callers:
        call()  # the first request of a client warms its session and caches
    with_two = [queries(call) for call in callers]
    for k in range(3):
        add_subdistrict(city, k)
    with_five = [queries(call) for call in callers]
    assert with_five == with_two
    assert len(priority_subdistricts(mayor, priority_month("")).rows) == 5
