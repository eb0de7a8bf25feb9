"""代居民点单 writes once per form token; 派给党员 takes only a party member."""

import re
from typing import Any

import pytest
from django.test import Client

from civicgrid.volunteers.constants import OrderStatus
from civicgrid.volunteers.models import ServiceOrder
from civicgrid.volunteers.tests.conftest import People

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(people: People, **kw: Any) -> dict[str, Any]:
    return {
        "node": people.city.comm_a1.pk,
        "orderer_kind": "resident",
        "beneficiary": "王阿婆",
        "title": "陪同就医",
        "content": "周四上午去医院复诊",
        "service_type": "elderly_care",
        "difficulty": 3,
        **kw,
    }


def test_order_new_writes_once_per_form_token(people: People) -> None:
    bob = login(people.city.bob)
    page = bob.get("/volunteers/orders/new/").content.decode()
    token = re.search(r'name="once_token" value="([0-9a-f]{32})"', page)
    assert token is not None
    data = _form(people, once_token=token.group(1))
    first = bob.post("/volunteers/orders/new/", data)
    assert first.status_code == 302
    order = ServiceOrder.objects.get(title="陪同就医")
    again = bob.post("/volunteers/orders/new/", data, follow=True)
    assert ServiceOrder.objects.filter(title="陪同就医").count() == 1
    assert again.redirect_chain[-1][0] == f"/volunteers/orders/{order.pk}/"
    assert "已提交，请勿重复提交" in again.content.decode()


def test_a_refused_order_new_leaves_the_token_usable(people: People) -> None:
    bob = login(people.city.bob)
    data = _form(people, beneficiary="查无此人", once_token="a" * 32)
    refused = bob.post("/volunteers/orders/new/", data)
    assert refused.status_code == 422 and not ServiceOrder.objects.exists()
    assert bob.post("/volunteers/orders/new/", data | {"beneficiary": "王阿婆"}).status_code == 302
    assert ServiceOrder.objects.count() == 1


def test_dispatch_to_a_party_member_refuses_a_resident_who_is_not_one(people: People) -> None:
    order = people.order()
    bob = login(people.city.bob)
    refused = bob.post(
        f"/volunteers/orders/{order.pk}/act/",
        {
            "action": "dispatch",
            "taker_kind": "party_member",
            "party_member": "王阿婆",
            "version": order.version,
        },
    )
    assert refused.status_code == 422
    body = refused.content.decode()
    assert "「王阿婆」不是党员" in body and "党员" in body
    order.refresh_from_db()
    assert order.status == OrderStatus.ORDERED and order.taker_resident is None
    done = bob.post(
        f"/volunteers/orders/{order.pk}/act/",
        {
            "action": "dispatch",
            "taker_kind": "party_member",
            "party_member": "陈党员",
            "version": order.version,
        },
    )
    assert done.status_code == 302
    order.refresh_from_db()
    assert order.taker_resident == people.r_chen


def test_api_dispatch_to_a_party_member_refuses_a_non_member(people: People) -> None:
    order = people.order()
    bob = login(people.city.bob)
    response = bob.post(
        f"/api/v1/volunteers/orders/{order.pk}/dispatch",
        {"taker_kind": "party_member", "resident_id": people.r_wangapo.pk},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "不是党员" in str(response.json()["detail"]["resident_id"])
