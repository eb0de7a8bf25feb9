"""A need's page links its service orders only for those who may open an order (order
staff: VOLUNTEER_MANAGE or PARTY_EDIT, as the order page checks); a leader sees the
numbers without a link that answered 404."""

import pytest
from django.test import Client

from civicgrid.party import services
from civicgrid.party.constants import NeedCategory, NeedSource
from civicgrid.party.tests.conftest import PartyWorld
from civicgrid.web.tests.test_links_roles import refused_links, signed_in

pytestmark = pytest.mark.django_db


def test_a_needs_orders_link_only_for_order_staff(pw: PartyWorld) -> None:
    need = services.need_create(
        actor=pw.city.bob,
        node=pw.city.grid_a1_1,
        data=services.NeedIn(title="独居老人每周代购", category=NeedCategory.ELDERLY, source=NeedSource.GRID),
    )
    order = services.need_order(actor=pw.city.bob, need=need, unit=pw.tax)
    path = f"/party/needs/{need.pk}/"

    leader: Client = signed_in(pw.city.dave)
    assert refused_links(leader, path) == {}
    page = leader.get(path).content.decode()
    assert order.number in page and f"/volunteers/orders/{order.pk}/" not in page

    community = signed_in(pw.city.bob)
    assert refused_links(community, path) == {}
    assert f"/volunteers/orders/{order.pk}/" in community.get(path).content.decode()
