"""Selects say 请选择, never Django's "---------"; registration's 服务区域 lists the community once."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.volunteers.tests.conftest import People, make_resident, user

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_dispatch_form_says_please_choose(people: People) -> None:
    order = people.order()
    body = login(people.city.bob).get(f"/volunteers/orders/{order.pk}/").content.decode()
    assert "---------" not in body and body.count("请选择</option>") >= 2


def test_h5_registration_selects(people: People) -> None:
    c = people.city
    make_resident(c, "赵新人", c.building_a1, "13800000009", "zhaoxin")
    body = login(user("zhaoxin")).get("/volunteers/h5/register/").content.decode()
    assert "---------" not in body and "请选择</option>" in body
    assert "整个社区" in body and "胜利门社区（社区" not in body
    assert "胜利门一网格" in body
