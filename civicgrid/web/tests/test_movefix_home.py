"""The home overview counts the communities and grids below the reader's node, active ones
only: before, a grid worker saw "1 网格" (their own grid), a community worker "1 社区" (their
own community), and deactivated grids still counted."""

import re
from typing import Any

import pytest
from django.test import Client

from civicgrid.territory import services as territory
from civicgrid.web.views import _children_breakdown, _scope_summary

pytestmark = pytest.mark.django_db


def figures(client: Client, user: Any) -> tuple[int, int]:
    """(社区, 网格) of the first overview on the reader's home page."""
    client.force_login(user)
    html = client.get("/").content.decode()
    found = re.search(
        r'<div class="n">(\d+)</div><div class="l">社区</div></div>\s*'
        r'<div class="stat"><div class="n">(\d+)</div><div class="l">网格</div>',
        html,
    )
    assert found, html
    return int(found[1]), int(found[2])


def test_the_overview_counts_active_communities_and_grids_below_the_node(client: Client, city: Any) -> None:
    territory.node_deactivate(actor=city.sysadmin, node=city.grid_a1_2)

    summary = _scope_summary(city.grid_a1_1)  # a grid worker: nothing below her grid
    assert (summary["communities"], summary["grids"]) == (0, 0)
    summary = _scope_summary(city.comm_a1)  # A1: grid A1-1 (A1-2 is deactivated)
    assert (summary["communities"], summary["grids"]) == (0, 1)
    assert figures(client, city.dave) == (3, 3)  # the district: A1, A2, B1; A1-1, A2-1, B1-1
    summary = _scope_summary(city.sub_a)
    assert (summary["communities"], summary["grids"]) == (2, 2)


def test_the_leaders_breakdown_counts_active_grids_only(client: Client, city: Any) -> None:
    territory.node_deactivate(actor=city.sysadmin, node=city.grid_a1_2)
    rows = {row["node"].pk: row["grids"] for row in _children_breakdown(city.sub_a)}
    assert rows[city.comm_a1.pk] == 1  # A1-1; A1-2 is stopped
