"""Closing a need withdraws its service orders: those nobody took are cancelled with the
reason (off the halls); one already being served stops the closing unless the community
says to cancel it too, and then its taker is told. An order is also cancelled from the
need's page."""

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.accounts.models import User
from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.notify.models import Notification
from civicgrid.party import services
from civicgrid.party.constants import NeedStatus, Verb
from civicgrid.party.models import Need
from civicgrid.party.tests.conftest import PartyWorld, counts
from civicgrid.party.tests.test_orders import confirmed_zhang, need
from civicgrid.volunteers.constants import OrderStatus
from civicgrid.volunteers.models import ServiceOrder
from civicgrid.volunteers.services import service_order_cancel

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_closing_cancels_the_published_order_and_takes_it_off_the_halls(pw: PartyWorld) -> None:
    confirmed_zhang(pw)
    item = need(pw)
    order = services.need_order(actor=pw.city.bob, need=item, publish=True)
    assert list(services.orders_open_to_member(pw.zhang)) == [order]
    response = client_for(pw.city.bob).post(
        reverse("party:need_act", args=[item.pk]), {"action": "close", "reason": "已由物业解决"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and "已由物业解决" in order.cancel_reason
    assert Need.objects.get(pk=item.pk).status == NeedStatus.CLOSED
    assert not services.orders_open_to_member(pw.zhang).exists()
    zhang = client_for(pw.zhang_user)
    assert zhang.get("/api/v1/party/me/orders").json() == []
    assert order.number not in zhang.get(reverse("party:h5_home")).content.decode()


def test_an_order_being_served_stops_the_closing_until_the_community_says_so(pw: PartyWorld) -> None:
    item = need(pw)
    published = services.need_order(actor=pw.city.bob, need=item, publish=True)
    served = services.need_order(actor=pw.city.bob, need=item, member=pw.zhang)
    assert served.status == OrderStatus.ASSIGNED
    before = counts()
    with pytest.raises(ValidationError) as caught:
        services.need_close(actor=pw.city.bob, need=item, reason="居民已搬走")
    assert served.number in caught.value.message and "同时取消服务中的服务单" in caught.value.message
    assert counts() == before
    assert ServiceOrder.objects.get(pk=published.pk).status == OrderStatus.PUBLISHED
    assert ServiceOrder.objects.get(pk=served.pk).status == OrderStatus.ASSIGNED
    page = client_for(pw.city.bob).post(
        reverse("party:need_act", args=[item.pk]), {"action": "close", "reason": "居民已搬走"}, follow=True
    )
    assert "同时取消服务中的服务单" in page.content.decode()
    assert Need.objects.get(pk=item.pk).status == NeedStatus.ORDERED

    services.need_close(actor=pw.city.bob, need=item, reason="居民已搬走", cancel_taken=True)
    assert set(
        ServiceOrder.objects.filter(pk__in=[published.pk, served.pk]).values_list("status", flat=True)
    ) == {OrderStatus.CANCELLED}
    sms = Notification.objects.get(target_id=str(served.pk), subject="服务单已取消")
    assert served.number in sms.body and "居民已搬走" in sms.body


def test_completed_orders_stay_as_they_are(pw: PartyWorld) -> None:
    item = need(pw)
    order = services.need_order(actor=pw.city.bob, need=item, publish=True)
    ServiceOrder.objects.filter(pk=order.pk).update(status=OrderStatus.COMPLETED)
    services.need_close(actor=pw.city.bob, need=item, reason="服务已完成")
    assert ServiceOrder.objects.get(pk=order.pk).status == OrderStatus.COMPLETED


def test_an_order_is_cancelled_from_the_need_page(pw: PartyWorld) -> None:
    item = need(pw)
    order = services.need_order(actor=pw.city.bob, need=item, publish=True)
    bob = client_for(pw.city.bob)
    page = bob.get(reverse("party:need", args=[item.pk])).content.decode()
    assert 'value="order_cancel"' in page
    response = bob.post(
        reverse("party:need_act", args=[item.pk]),
        {"action": "order_cancel", "order": order.pk, "reason": "重复派单"},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and order.cancel_reason == "重复派单"
    # an order of another need is not cancelled through this one
    other = services.need_order(actor=pw.city.bob, need=need(pw), publish=True)
    response = bob.post(
        reverse("party:need_act", args=[item.pk]),
        {"action": "order_cancel", "order": other.pk, "reason": "x"},
    )
    assert response.status_code == 404
    assert ServiceOrder.objects.get(pk=other.pk).status == OrderStatus.PUBLISHED


def test_a_need_whose_orders_are_all_cancelled_is_open_again(pw: PartyWorld) -> None:
    item = need(pw)
    first = services.need_order(actor=pw.city.bob, need=item, publish=True)
    second = services.need_order(actor=pw.city.bob, need=item, member=pw.zhang)
    services.need_order_cancel(actor=pw.city.bob, need=item, order=first, reason="重复派单")
    assert Need.objects.get(pk=item.pk).status == NeedStatus.ORDERED  # one order is still live
    # the last one withdrawn from the order's own page (the volunteers service), not the need's
    service_order_cancel(actor=pw.city.bob, order=second, reason="党员生病")
    assert Need.objects.get(pk=item.pk).status == NeedStatus.OPEN
    row = AuditLog.objects.get(verb=Verb.NEED_UNORDERED)
    assert row.before == {"status": NeedStatus.ORDERED}
    assert row.after is not None and row.after["status"] == NeedStatus.OPEN
    page = client_for(pw.city.bob).get(reverse("party:need", args=[item.pk])).content.decode()
    assert "待认领" in page and "已派单" not in page
    # ordered again, it says so again
    services.need_order(actor=pw.city.bob, need=item, publish=True)
    assert Need.objects.get(pk=item.pk).status == NeedStatus.ORDERED


def test_closing_a_need_is_not_also_an_unordering(pw: PartyWorld) -> None:
    item = need(pw)
    services.need_order(actor=pw.city.bob, need=item, publish=True)
    services.need_close(actor=pw.city.bob, need=item, reason="已由物业解决")
    assert Need.objects.get(pk=item.pk).status == NeedStatus.CLOSED
    assert not AuditLog.objects.filter(verb=Verb.NEED_UNORDERED).exists()
    closed = AuditLog.objects.get(verb=Verb.NEED_CLOSED)
    assert closed.before == {"status": NeedStatus.ORDERED}
