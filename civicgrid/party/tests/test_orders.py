"""Needs ordered to partner units and members through the volunteers' service orders."""

import pytest

from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.party import services
from civicgrid.party.constants import NeedCategory, NeedSource, NeedStatus, ServiceType, Verb
from civicgrid.party.models import Need
from civicgrid.party.services.orders import origin_of
from civicgrid.party.tests.conftest import PartyWorld, counts
from civicgrid.volunteers.constants import OrderStatus, TakerKind
from civicgrid.volunteers.models import ServiceOrder
from civicgrid.volunteers.selectors import orders_with_origin

pytestmark = pytest.mark.django_db


def need(pw: PartyWorld) -> Need:
    return services.need_create(
        actor=pw.city.bob,
        node=pw.city.grid_a1_1,
        data=services.NeedIn(title="独居老人每周代购", category=NeedCategory.ELDERLY, source=NeedSource.GRID),
    )


def confirmed_zhang(pw: PartyWorld) -> None:
    row = services.member_report_submit(
        actor=pw.zhang_user, member=pw.zhang, pledge_list=["助老"], service_type_list=[ServiceType.ELDERLY]
    )
    services.member_report_confirm(actor=pw.city.bob, report=row)


def test_a_need_dispatched_to_a_partner_unit(pw: PartyWorld) -> None:
    item = need(pw)
    order = services.need_order(actor=pw.city.bob, need=item, unit=pw.tax)
    assert order.status == OrderStatus.ASSIGNED and order.taker_kind == TakerKind.UNIT
    assert order.taker_organisation == pw.tax and order.origin == origin_of(item)
    assert order.service_type == "elderly_care"
    assert Need.objects.get(pk=item.pk).status == NeedStatus.ORDERED
    assert list(orders_with_origin(pw.city.bob, origin_of(item))) == [order]


def test_a_need_dispatched_to_a_member(pw: PartyWorld) -> None:
    order = services.need_order(actor=pw.city.bob, need=need(pw), member=pw.zhang)
    assert order.taker_kind == TakerKind.PARTY_MEMBER and order.taker_resident == pw.zhang_resident
    before = counts()
    with pytest.raises(ValidationError):  # the rider has no registry entry
        services.need_order(actor=pw.city.bob, need=need(pw), member=pw.rider)
    assert counts()["audit"] == before["audit"] + 1  # only the second need's creation


def test_a_published_need_is_taken_by_a_reported_member(pw: PartyWorld) -> None:
    order = services.need_order(actor=pw.city.bob, need=need(pw), publish=True)
    assert order.status == OrderStatus.PUBLISHED
    with pytest.raises(ValidationError):  # not reported yet
        services.member_order_take(actor=pw.zhang_user, order=order)
    confirmed_zhang(pw)
    assert list(services.orders_open_to_member(pw.zhang)) == [order]
    taken = services.member_order_take(actor=pw.zhang_user, order=order)
    assert taken.status == OrderStatus.ASSIGNED and taken.taker_resident == pw.zhang_resident
    with pytest.raises(Conflict):
        services.member_order_take(actor=pw.zhang_user, order=order)
    with pytest.raises(PermissionDenied):  # staff are not members
        services.member_order_take(actor=pw.city.bob, order=order)


def test_the_outsider_orders_nothing(pw: PartyWorld) -> None:
    item = need(pw)
    before = counts()
    orders = ServiceOrder.objects.count()
    with pytest.raises(PermissionDenied):
        services.need_order(actor=pw.city.carol, need=item, unit=pw.shop_b)
    assert counts() == before and ServiceOrder.objects.count() == orders
    assert not orders_with_origin(pw.city.carol, origin_of(item)).exists()
    assert Verb.NEED_ORDERED == "party.need_ordered"
