"""The home overview leaves out a kind of node that cannot stand below the reader's node when
there is none: a community worker's 胜利门社区 概况 no longer says "0 社区", a grid worker's
grid neither "0 社区" nor "0 网格"; a subdistrict or district keeps both."""

import re
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def overview(client: Client, user: Any) -> dict[str, int]:
    """The cards of the first 概况 on the reader's home page, label to number."""
    client.force_login(user)
    html = client.get("/").content.decode()
    section = html.split("概况</h2>", 1)[1].split("<h2", 1)[0]
    return {
        label: int(n)
        for n, label in re.findall(r'<div class="n">(\d+)</div><div class="l">([^<]+)</div>', section)
    }


def test_a_community_is_not_counted_as_zero_communities(client: Client, city: Any) -> None:
    cards = overview(client, city.bob)
    assert "社区" not in cards and cards["网格"] == 2 and "实有人口" in cards


def test_a_grid_shows_neither_communities_nor_grids(client: Client, city: Any) -> None:
    cards = overview(client, city.alice)
    assert "社区" not in cards and "网格" not in cards and "实有人口" in cards


def test_the_district_keeps_both(client: Client, city: Any) -> None:
    cards = overview(client, city.dave)
    assert cards["社区"] >= 1 and cards["网格"] >= 1
