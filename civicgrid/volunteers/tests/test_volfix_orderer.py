"""An order placed by staff names its orderer once (社区代居民点单), not kind and label twice."""

import pytest
from django.test import Client

from civicgrid.volunteers.tests.conftest import People

pytestmark = pytest.mark.django_db


def test_a_staff_order_names_its_orderer_once(people: People) -> None:
    order = people.order(orderer_kind="staff", orderer_resident=None, node=people.city.comm_a1)
    assert order.orderer_label == "社区代居民点单"
    bob = Client()
    bob.force_login(people.city.bob)
    for url in ("/volunteers/orders/", f"/volunteers/orders/{order.pk}/"):
        page = bob.get(url).content.decode()
        assert "社区代居民点单" in page and "社区代居民点单 社区代居民点单" not in page
    unit = people.order(
        orderer_kind="unit", orderer_resident=None, orderer_organisation=people.shop, node=people.city.comm_a1
    )
    assert "单位 胜利门便民超市" in bob.get(f"/volunteers/orders/{unit.pk}/").content.decode()
