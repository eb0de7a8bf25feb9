"""The staff order form's selects say 请选择 (as the registry does), not Django's
「---------」; the order page names its community once when the service is needed in the
community itself."""

import re

import pytest
from django.test import Client

from civicgrid.volunteers.tests.conftest import People

pytestmark = pytest.mark.django_db


def _bob(people: People) -> Client:
    bob = Client()
    bob.force_login(people.city.bob)
    return bob


def test_the_order_forms_selects_say_choose_not_dashes(people: People) -> None:
    page = _bob(people).get("/volunteers/orders/new/").content.decode()
    assert "---------" not in page
    for name in ("node", "orderer_organisation"):
        select = re.search(rf'<select name="{name}"[^>]*>\s*<option value=""[^>]*>([^<]*)</option>', page)
        assert select and select.group(1) == "请选择", name


def test_the_order_page_names_the_community_once(people: People) -> None:
    bob = _bob(people)
    order = people.order(node=people.city.comm_a1, address="瑞景公寓1号楼2单元301")
    page = bob.get(f"/volunteers/orders/{order.pk}/").content.decode()
    assert "<td>胜利门社区 · 瑞景公寓1号楼2单元301</td>" in page
    assert "胜利门社区 · 胜利门社区" not in page
    in_grid = people.order(node=people.city.grid_a1_1, address="3号楼")
    page = bob.get(f"/volunteers/orders/{in_grid.pk}/").content.decode()
    assert "<td>胜利门社区 · 胜利门一网格 3号楼</td>" in page
    bare = people.order(node=people.city.comm_a1)
    assert "<td>胜利门社区</td>" in bob.get(f"/volunteers/orders/{bare.pk}/").content.decode()
