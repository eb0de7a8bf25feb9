"""Pages say availability and an order's origin in Chinese; staff type a request number, not
an internal reference, to link an order to the request it came from."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.requests.permissions import SYSTEM
from civicgrid.requests.services import request_create
from civicgrid.requests.tests.conftest import Hotline, hotline  # noqa: F401 - the fixture
from civicgrid.volunteers import services
from civicgrid.volunteers.models import ServiceOrder
from civicgrid.volunteers.origins import describe_origin
from civicgrid.volunteers.tests.conftest import People, make_resident

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return str(response.content.decode())


def test_availability_reads_in_chinese(people: People) -> None:
    c = people.city
    resident = make_resident(c, "周末哥", c.grid_a1_1, "13800000009")
    volunteer = services.volunteer_register(
        actor=c.bob, resident=resident, availability=["holiday", "weekday_evening"]
    )
    assert volunteer.availability_labels == ["工作日晚上", "节假日"]
    page = text(login(c.bob).get(f"/volunteers/people/{volunteer.pk}/"))
    assert "工作日晚上、节假日" in page and "weekday_evening" not in page and "holiday" not in page


def test_origins_read_in_chinese_with_a_link_where_there_is_a_page() -> None:
    need = describe_origin("party.need:131")
    assert need is not None and (need.label, need.url) == ("党建需求（第131号）", "/party/needs/131/")
    council = describe_origin("party.council:12")
    assert council is not None and (council.label, council.url) == ("党群议事会（第12号）", "")
    other = describe_origin("somewhere.else:1")
    assert other is not None and other.label == "其他来源" and other.code == "somewhere.else:1"
    assert describe_origin("") is None


def test_an_order_linked_to_a_request_by_its_number(people: People, hotline: Hotline) -> None:  # noqa: F811
    c = people.city
    request = request_create(actor=SYSTEM, data=hotline.new(title="王阿婆买菜难"), dispatch=False)
    bob = login(c.bob)
    form = text(bob.get("/volunteers/orders/new/"))
    assert "requests.request" not in form and "关联诉求编号" in form
    data = {
        "node": c.comm_a1.pk,
        "orderer_kind": "staff",
        "title": "代买蔬菜",
        "content": "每周两次",
        "service_type": "elderly_care",
        "difficulty": 2,
        "origin": "20990101-000001",
    }
    bad = bob.post("/volunteers/orders/new/", data)
    assert bad.status_code == 422 and "未找到该诉求编号" in text(bad)
    assert 'value="20990101-000001"' in text(bad) and not ServiceOrder.objects.exists()
    made = bob.post("/volunteers/orders/new/", {**data, "origin": request.number})
    assert made.status_code == 302
    order = ServiceOrder.objects.get()
    assert order.origin == f"requests.request:{request.pk}"
    page = text(bob.get(f"/volunteers/orders/{order.pk}/"))
    assert f'<a href="/requests/{request.pk}/">诉求 {request.number}</a>' in page
    assert "来源 requests.request" not in page


def test_an_order_from_a_party_need_shows_the_need(people: People) -> None:
    order = people.order(origin="party.need:7")
    page = text(login(people.city.bob).get(f"/volunteers/orders/{order.pk}/"))
    assert '<a href="/party/needs/7/">党建需求（第7号）</a>' in page and ">party.need:7<" not in page
