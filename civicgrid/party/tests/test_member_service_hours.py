"""A member's service orders, hours and points are on their page, and the reporting page
ranks members by the hours confirmed in a period; only confirmed orders count."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from civicgrid.core.tests.images import png_upload
from civicgrid.party import figures, selectors, services
from civicgrid.party.tests.conftest import PartyWorld
from civicgrid.party.tests.test_orders import need
from civicgrid.volunteers.models import ServiceOrder
from civicgrid.volunteers.services import service_order_complete, service_order_confirm

pytestmark = pytest.mark.django_db


def served(pw: PartyWorld, hours: str, confirm: bool) -> ServiceOrder:
    order = services.need_order(actor=pw.city.bob, need=need(pw), member=pw.zhang)
    order = service_order_complete(
        actor=pw.city.bob, order=order, note="已完成", hours=hours, photos=[png_upload()]
    )
    return service_order_confirm(actor=pw.city.bob, order=order, rating=5) if confirm else order


def test_the_member_page_shows_orders_hours_and_points(pw: PartyWorld) -> None:
    first = served(pw, "2.5", confirm=True)
    served(pw, "3", confirm=False)  # awaiting confirmation: no hours yet
    services.need_order(actor=pw.city.bob, need=need(pw), member=pw.zhang)  # being served
    service = selectors.member_service(pw.zhang)
    assert (service.confirmed, service.held, service.hours) == (1, 2, Decimal("2.5"))
    assert service.points == (first.points or 0)
    bob = Client()
    bob.force_login(pw.city.bob)
    page = bob.get(reverse("party:member", args=[pw.zhang.pk])).content.decode()
    assert "服务单与服务时长" in page and first.number in page
    assert "服务订单时长 2.5 小时" in page
    assert selectors.member_service(pw.li).orders == []  # no registry entry, no orders


def test_the_reporting_page_ranks_members_by_hours_in_a_period(pw: PartyWorld) -> None:
    served(pw, "4", confirm=True)
    served(pw, "1", confirm=False)
    today = timezone.localdate()
    rows = figures.members_by_hours(pw.city.bob, since=today, until=today)
    assert [(r.member, r.orders, r.hours) for r in rows] == [(pw.zhang, 1, Decimal("4"))]
    assert (
        figures.members_by_hours(
            pw.city.bob, since=today - timedelta(days=9), until=today - timedelta(days=1)
        )
        == []
    )
    assert figures.members_by_hours(pw.city.carol, since=today, until=today) == []  # the outsider
    bob = Client()
    bob.force_login(pw.city.bob)
    page = bob.get(reverse("party:reporting")).content.decode()
    assert "党员服务时长排行" in page and pw.zhang.name in page
    assert bob.get(reverse("party:reporting") + "?since=bad").status_code == 200
