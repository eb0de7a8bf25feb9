"""The H5 order page: a refused 完成服务 comes back with what was typed and the reason beside
its field (422); the hours input starts at the service's minimum; the orderer sees the address
they typed."""

import re
from typing import Any

import pytest
from django.test import Client

from civicgrid.volunteers import services
from civicgrid.volunteers.constants import OrderStatus
from civicgrid.volunteers.tests.conftest import People, png

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _hours_field(body: str) -> str:
    found = re.search(r'<div class="fld[^"]*">\s*<label for="id_hours".*?</div>', body, re.S)
    assert found is not None
    return found.group(0)


def test_a_refused_completion_keeps_what_was_typed(people: People) -> None:
    order = services.service_order_take(actor=people.zhang, order=people.order(publish=True))
    zhang = login(people.zhang)
    url = f"/volunteers/h5/orders/{order.pk}/"
    response = zhang.post(
        url, {"action": "complete", "note": "买了青菜和鸡蛋，送上了五楼", "hours": "0.2", "photos": [png()]}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "买了青菜和鸡蛋，送上了五楼" in body
    hours = _hours_field(body)
    assert 'value="0.2"' in hours and 'class="err"' in hours and "has-err" in hours
    order.refresh_from_db()
    assert order.status == OrderStatus.ASSIGNED
    # No photo: the reason is on the page too, the note still there.
    response = zhang.post(url, {"action": "complete", "note": "买好了", "hours": "1"})
    assert response.status_code == 422 and "买好了" in response.content.decode()
    assert "请至少上传一张服务照片" in response.content.decode()
    done = zhang.post(url, {"action": "complete", "note": "买好了", "hours": "1", "photos": [png()]})
    assert done.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED


def test_the_hours_input_starts_at_half_an_hour(people: People) -> None:
    order = services.service_order_take(actor=people.zhang, order=people.order(publish=True))
    body = login(people.zhang).get(f"/volunteers/h5/orders/{order.pk}/").content.decode()
    assert 'min="0.5"' in _hours_field(body)


def test_a_refused_reason_form_keeps_the_page(people: People) -> None:
    order = people.order(actor=people.wangapo)
    response = login(people.wangapo).post(
        f"/volunteers/h5/orders/{order.pk}/", {"action": "cancel", "reason": ""}
    )
    assert response.status_code == 422
    order.refresh_from_db()
    assert order.status != OrderStatus.CANCELLED


def test_the_orderer_sees_the_address_they_typed(people: People) -> None:
    order = people.order(actor=people.wangapo, address="胜利门小区3栋502室")
    body = login(people.wangapo).get(f"/volunteers/h5/orders/{order.pk}/").content.decode()
    assert "胜利门小区3栋502室" in body
    published = services.service_order_publish(actor=people.city.bob, order=order)
    hall_view = login(people.li).get(f"/volunteers/h5/orders/{published.pk}/").content.decode()
    assert "胜利门小区3栋502室" not in hall_view  # not to a volunteer who has not taken it
