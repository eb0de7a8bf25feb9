"""The home page's breakdown by child area counts in grouped queries, whatever the number of
children.

A city leader of 300 subdistricts ran two COUNTs per child area (grids, residents) on the home
page, 96-99 queries and 1.7-3.9 s; the children now come first and are counted all at once
(``territory.selectors.nodes_count_under_each`` and
``registry.selectors.residents_count_under_each``), with the same numbers as one node at a time.
The node page ``/territory/<id>/`` counts its whole subtree and lists its children without
per-child counts: its query count does not grow with them either."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role
from civicgrid.conftest import City, make_user
from civicgrid.registry.selectors import residents_count_under
from civicgrid.registry.tests.factories import residents
from civicgrid.territory import services as territory
from civicgrid.territory.models import Node, NodeKind
from civicgrid.territory.selectors import nodes_count_under_each
from civicgrid.web.views import _children_breakdown, _scope_summary

pytestmark = pytest.mark.django_db

KINDS = (NodeKind.GRID, NodeKind.COMMUNITY)


def add_communities(city: City, start: int, count: int) -> None:
    """``count`` more communities under subdistrict A, each with grids and residents (a
    stopped grid among them)."""

    def node(kind: str, name: str, parent: Node, code: str = "", **kw: Any) -> Node:
        return territory.node_create(
            actor=city.sysadmin, kind=kind, name=name, parent=parent, code=code, **kw
        )

    for k in range(start, start + count):
        community = node(NodeKind.COMMUNITY, f"新社区{k}", city.sub_a, f"320213001{k + 10:03d}")
        grid = node(NodeKind.GRID, f"新社区{k}一网格", community)
        stopped = node(NodeKind.GRID, f"新社区{k}二网格", community)
        territory.node_deactivate(actor=city.sysadmin, node=stopped)
        residents(grid, k % 4 + 1, inactive=1)
        residents(community, 2)


def one_at_a_time(node: Node, kind: str) -> int:
    return Node.objects.filter(path__startswith=node.path, kind=kind, is_active=True).count()


def test_grouped_node_counts_equal_one_node_at_a_time(city: City) -> None:
    add_communities(city, 0, 3)
    territory.node_deactivate(actor=city.sysadmin, node=city.grid_a1_2)
    nodes = list(Node.objects.order_by("path"))  # nested ones, paths of several lengths
    expected = {n.path: {kind: one_at_a_time(n, kind) for kind in KINDS} for n in nodes}
    assert nodes_count_under_each(nodes, KINDS) == expected
    assert expected[city.sub_a.path] == {NodeKind.GRID: 5, NodeKind.COMMUNITY: 5}
    assert expected[city.grid_a1_1.path] == {NodeKind.GRID: 1, NodeKind.COMMUNITY: 0}  # itself
    assert nodes_count_under_each([city.grid_a1_2], KINDS) == {city.grid_a1_2.path: dict.fromkeys(KINDS, 0)}
    assert nodes_count_under_each([], KINDS) == {}


def test_breakdown_and_summary_keep_their_numbers(city: City) -> None:
    add_communities(city, 0, 3)
    residents(city.grid_a1_1, 3, inactive=2)
    residents(city.sub_a, 4)  # on the subdistrict itself: in no child's row
    territory.node_deactivate(actor=city.sysadmin, node=city.grid_a1_2)
    for parent in (city.district, city.sub_a, city.comm_a1):
        rows = _children_breakdown(parent)
        children = Node.objects.filter(parent=parent, is_active=True).order_by("sort_order", "code")
        assert [row["node"] for row in rows] == list(children)
        assert [(row["grids"], row["residents"]) for row in rows] == [
            (one_at_a_time(child, NodeKind.GRID), residents_count_under(child)) for child in children
        ]
    assert [(r["grids"], r["residents"]) for r in _children_breakdown(city.comm_a1)] == [(1, 3)]
    for node in (city.district, city.sub_a, city.comm_a1, city.grid_a1_1):
        summary = _scope_summary(node)
        below = Node.objects.filter(path__startswith=node.path, is_active=True).exclude(pk=node.pk)
        assert summary["grids"] == below.filter(kind=NodeKind.GRID).count()
        assert summary["communities"] == below.filter(kind=NodeKind.COMMUNITY).count()
    assert (_scope_summary(city.sub_a)["communities"], _scope_summary(city.sub_a)["grids"]) == (5, 5)


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as done:
        answer = client.get(url)
    assert answer.status_code == 200, answer.content
    return len(done.captured_queries)


def test_query_count_does_not_grow_with_child_areas(city: City) -> None:
    """A leader of subdistrict A: 5 and then 14 communities below, the same queries."""
    leader = make_user("leader_a", "街道领导")
    accounts.role_grant(actor=None, system=True, user=leader, role=Role.LEADER, node=city.sub_a)
    clients = []
    for user in (leader, city.dave):
        client = Client()
        client.force_login(user)
        clients.append(client)
    urls = [(clients[0], "/"), (clients[1], "/"), (clients[1], f"/territory/{city.sub_a.pk}/")]
    add_communities(city, 0, 3)
    for client, url in urls:
        client.get(url)  # the first request of a client warms its session and caches
    with_three = [queries(client, url) for client, url in urls]
    add_communities(city, 3, 9)
    with_twelve = [queries(client, url) for client, url in urls]
    assert with_twelve == with_three
    client = clients[0]
    html = client.get("/").content.decode()
    assert "新社区11" in html  # the twelfth extra community is in the leader's breakdown
