"""A need served through service orders is done (已完成) when its orders are all confirmed
(or cancelled), once and audited; staff may finish (办结) one whose orders are served but
not yet all confirmed."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.core.errors import Conflict, PermissionDenied
from civicgrid.core.models import AuditLog
from civicgrid.core.tests.images import png_upload
from civicgrid.party import services
from civicgrid.party.constants import NeedStatus, Verb
from civicgrid.party.models import Need
from civicgrid.party.tests.conftest import PartyWorld, counts
from civicgrid.party.tests.test_orders import confirmed_zhang, need
from civicgrid.volunteers.constants import OrderStatus
from civicgrid.volunteers.models import ServiceOrder
from civicgrid.volunteers.services import service_order_cancel, service_order_complete, service_order_confirm

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def served(pw: PartyWorld, order: ServiceOrder) -> ServiceOrder:
    return service_order_complete(
        actor=pw.city.bob, order=order, note="已上门代购", hours="2", photos=[png_upload()]
    )


def test_a_need_whose_order_is_taken_completed_and_confirmed_is_done(pw: PartyWorld) -> None:
    confirmed_zhang(pw)
    item = need(pw)
    order = services.need_order(actor=pw.city.bob, need=item, publish=True)
    services.member_order_take(actor=pw.zhang_user, order=order)
    order = service_order_complete(
        actor=pw.zhang_user,
        order=ServiceOrder.objects.get(pk=order.pk),
        note="已上门代购",
        hours="2",
        photos=[png_upload()],
    )
    assert Need.objects.get(pk=item.pk).status == NeedStatus.ORDERED  # served, not yet confirmed
    bob = client_for(pw.city.bob)
    response = bob.post(
        reverse("volunteers:order_act", args=[order.pk]),
        {"action": "confirm", "rating": "5", "comment": "很好", "version": order.version},
    )
    assert response.status_code == 302
    assert ServiceOrder.objects.get(pk=order.pk).status == OrderStatus.CONFIRMED
    assert Need.objects.get(pk=item.pk).status == NeedStatus.DONE
    row = AuditLog.objects.get(verb=Verb.NEED_DONE)
    assert row.before == {"status": NeedStatus.ORDERED}
    assert row.after == {"status": NeedStatus.DONE, "via": "orders_confirmed", "order": order.pk}
    page = bob.get(reverse("party:needs") + "?status=done").content.decode()
    assert item.title in page


def test_a_need_waits_for_its_other_live_orders(pw: PartyWorld) -> None:
    item = need(pw)
    first = served(pw, services.need_order(actor=pw.city.bob, need=item, member=pw.zhang))
    second = services.need_order(actor=pw.city.bob, need=item, unit=pw.tax)
    service_order_confirm(actor=pw.city.bob, order=first, rating=5)
    assert Need.objects.get(pk=item.pk).status == NeedStatus.ORDERED
    third = services.need_order(actor=pw.city.bob, need=item, publish=True)
    service_order_confirm(actor=pw.city.bob, order=served(pw, second), rating=4)
    assert Need.objects.get(pk=item.pk).status == NeedStatus.ORDERED
    # the last one waited for is withdrawn: the others were all confirmed, the need is done
    service_order_cancel(actor=pw.city.bob, order=third, reason="已无需再派")
    assert Need.objects.get(pk=item.pk).status == NeedStatus.DONE
    assert AuditLog.objects.filter(verb=Verb.NEED_DONE).count() == 1
    assert not AuditLog.objects.filter(verb=Verb.NEED_UNORDERED).exists()


def test_staff_finish_a_need_whose_orders_are_served(pw: PartyWorld) -> None:
    item = need(pw)
    order = services.need_order(actor=pw.city.bob, need=item, member=pw.zhang)
    bob = client_for(pw.city.bob)
    assert 'value="finish"' not in bob.get(reverse("party:need", args=[item.pk])).content.decode()
    before = counts()
    with pytest.raises(Conflict) as caught:  # still being served
        services.need_finish(actor=pw.city.bob, need=item)
    assert order.number in caught.value.message
    with pytest.raises(PermissionDenied):  # the outsider
        services.need_finish(actor=pw.city.carol, need=item)
    assert counts() == before
    served(pw, order)
    assert 'value="finish"' in bob.get(reverse("party:need", args=[item.pk])).content.decode()
    response = bob.post(reverse("party:need_act", args=[item.pk]), {"action": "finish", "note": "回访满意"})
    assert response.status_code == 302
    assert Need.objects.get(pk=item.pk).status == NeedStatus.DONE
    row = AuditLog.objects.get(verb=Verb.NEED_DONE)
    assert row.after == {"status": NeedStatus.DONE, "via": "staff", "note": "回访满意"}
    # confirmed later: nothing more happens to the need
    service_order_confirm(actor=pw.city.bob, order=ServiceOrder.objects.get(pk=order.pk), rating=5)
    assert AuditLog.objects.filter(verb=Verb.NEED_DONE).count() == 1
    with pytest.raises(Conflict):
        services.need_finish(actor=pw.city.bob, need=item)
