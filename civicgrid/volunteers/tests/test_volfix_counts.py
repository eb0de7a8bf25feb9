"""The overview's 完成服务单 and the people list's per-volunteer count say what they count: the
first every completed order (待确认 and 已评价) and opens that list, the second the orders
confirmed (已评价), the only ones that credit a volunteer."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.volunteers import services
from civicgrid.volunteers.services import Taker
from civicgrid.volunteers.tests.conftest import People, png

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    return response.content.decode()


def test_the_overview_and_the_people_list_name_what_they_count(people: People) -> None:
    bob_user = people.city.bob
    order = people.order()
    services.service_order_dispatch(actor=bob_user, order=order, taker=Taker.of_volunteer(people.v_zhang))
    order.refresh_from_db()
    services.service_order_complete(actor=bob_user, order=order, note="已买菜", hours="1", photos=[png()])
    bob = Client()
    bob.force_login(bob_user)
    overview = text(bob.get("/volunteers/"))
    assert "完成服务单（含待确认）" in overview
    assert "?status=done" in overview and "?status=confirmed" not in overview
    listed = text(bob.get("/volunteers/orders/?status=done"))
    assert order.number in listed
    people_page = text(bob.get("/volunteers/people/"))
    assert "活动/已评价服务单/缺席" in people_page
    assert "0/0/0" in people_page  # not yet confirmed: not counted for 张志强
