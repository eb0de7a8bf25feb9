"""The order hall offers a volunteer only the orders they may take: none needing a skill
they lack (taking it would be refused: 该服务需要技能)."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.volunteers import selectors
from civicgrid.volunteers.tests.conftest import People

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_hall_leaves_out_orders_needing_a_skill_the_volunteer_lacks(people: People) -> None:
    plain = people.order(publish=True, title="帮忙取快递")
    care = people.order(publish=True, title="陪护老人", skills=("elderly_care",))
    both = people.order(publish=True, title="代买药品", skills=("errands", "elderly_care"))
    errand = people.order(publish=True, title="代办跑腿", skills=("errands",))
    # 李秀英 has errands only; 张志强 errands and elderly_care.
    assert {o.pk for o in selectors.orders_open_to(people.v_li)} == {plain.pk, errand.pk}
    assert {o.pk for o in selectors.orders_open_to(people.v_zhang)} == {plain.pk, care.pk, both.pk, errand.pk}
    api = login(people.li).get("/api/v1/volunteers/me/hall")
    assert api.status_code == 200
    assert {row["id"] for row in api.json()} == {plain.pk, errand.pk}
    page = login(people.li).get("/volunteers/h5/orders/").content.decode()
    assert "代办跑腿" in page and "帮忙取快递" in page
    assert "陪护老人" not in page and "代买药品" not in page
