"""Volunteer forms name the field of every error, refuse bad input with 422 and a stale step
with 409, carry no ASCII colon after their labels."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.volunteers import services
from civicgrid.volunteers.constants import OrderStatus
from civicgrid.volunteers.models import ServiceOrder
from civicgrid.volunteers.tests.conftest import People

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return response.content.decode()


def test_an_empty_order_form_names_each_field_and_is_422(people: People) -> None:
    bob = login(people.city.bob)
    response = bob.post("/volunteers/orders/new/", {})
    page = text(response)
    assert response.status_code == 422
    for label in ("服务地点区域", "服务内容", "需求描述", "服务类别"):
        assert f"{label}：此项必填。" in page
    assert ">此项必填。<" not in page  # never a bare reason
    assert ":</label>" not in page  # no ASCII label suffix
    assert not ServiceOrder.objects.exists()


def test_the_other_staff_forms_name_their_fields(people: People) -> None:
    bob = login(people.city.bob)
    activity = bob.post("/volunteers/activities/new/", {})
    assert activity.status_code == 422 and "活动名称：此项必填。" in text(activity)
    assert ":</label>" not in text(activity)
    team = bob.post("/volunteers/teams/", {})
    assert team.status_code == 422 and "队伍名称：此项必填。" in text(team)
    assert ":</label>" not in text(bob.get("/volunteers/teams/"))


def test_the_resident_order_form_names_its_fields(people: People) -> None:
    response = login(people.wangapo).post("/volunteers/h5/orders/new/", {})
    assert response.status_code == 422
    assert "需要什么服务：此项必填。" in text(response)


def test_a_stale_dispatch_is_409_and_changes_nothing(people: People) -> None:
    order = people.order()
    stale = order.version
    services.service_order_publish(actor=people.city.bob, order=order)
    bob = login(people.city.bob)
    response = bob.post(
        f"/volunteers/orders/{order.pk}/act/",
        {"action": "dispatch", "taker_kind": "volunteer", "volunteer": people.v_zhang.pk, "version": stale},
    )
    assert response.status_code == 409
    assert "该服务单已被他人处理" in text(response)
    order.refresh_from_db()
    assert order.status == OrderStatus.PUBLISHED and order.taker_kind == ""


def test_a_dispatch_without_a_volunteer_is_422_naming_the_field(people: People) -> None:
    order = people.order()
    response = login(people.city.bob).post(
        f"/volunteers/orders/{order.pk}/act/",
        {"action": "dispatch", "taker_kind": "volunteer", "version": order.version},
    )
    assert response.status_code == 422 and "志愿者：请选择志愿者" in text(response)
