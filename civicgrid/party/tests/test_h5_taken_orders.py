"""On the party phone page a member sees the orders they took and have not finished, each
linking to the page where they report it done."""

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.core.tests.images import png_upload
from civicgrid.party import services
from civicgrid.party.tests.conftest import PartyWorld
from civicgrid.party.tests.test_orders import confirmed_zhang, need
from civicgrid.volunteers.models import ServiceOrder
from civicgrid.volunteers.services import service_order_complete, service_order_confirm

pytestmark = pytest.mark.django_db


def test_a_member_sees_the_order_they_took_until_it_is_confirmed(pw: PartyWorld) -> None:
    confirmed_zhang(pw)
    order = services.need_order(actor=pw.city.bob, need=need(pw), publish=True)
    zhang = Client()
    zhang.force_login(pw.zhang_user)
    link = reverse("volunteers:h5_order", args=[order.pk])
    assert link not in zhang.get(reverse("party:h5_home")).content.decode()
    response = zhang.post(reverse("party:h5_take", args=[order.pk]))
    assert response.status_code == 302
    page = zhang.get(reverse("party:h5_home")).content.decode()
    assert "我接的服务单" in page and link in page and order.number in page
    assert zhang.get(link).status_code == 200
    done = service_order_complete(
        actor=pw.zhang_user,
        order=ServiceOrder.objects.get(pk=order.pk),
        note="已代购",
        hours="1",
        photos=[png_upload()],
    )
    page = zhang.get(reverse("party:h5_home")).content.decode()
    assert link in page and "待确认" in page
    service_order_confirm(actor=pw.city.bob, order=done, rating=5)
    assert link not in zhang.get(reverse("party:h5_home")).content.decode()


def test_an_order_dispatched_to_the_member_is_listed_too(pw: PartyWorld) -> None:
    order = services.need_order(actor=pw.city.bob, need=need(pw), member=pw.zhang)
    other = services.need_order(actor=pw.city.bob, need=need(pw), unit=pw.tax)
    assert list(services.orders_taken_by_member(pw.zhang)) == [order]
    assert other not in services.orders_taken_by_member(pw.zhang)
    assert not services.orders_taken_by_member(pw.rider).exists()
