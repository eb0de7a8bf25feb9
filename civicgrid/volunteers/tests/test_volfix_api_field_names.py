"""Leftovers an outside tester found in volunteers:

* a 422 of the API names the body's fields: POST /orders answered ``{"orderer_resident": …}``
  though the body's field is ``orderer_resident_id`` (likewise the unit, the place, a
  dispatch's taker);
* a bad order ``version`` on the staff page read 版本号应为0到9223372036854775807之间的整数:
  the version is the page's own hidden field, so it says to refresh the page.
"""

import json
from typing import Any

import pytest
from django.test import Client

from civicgrid.core.models import AuditLog
from civicgrid.volunteers import services
from civicgrid.volunteers.api.schemas import TakerIn, VolunteerOrderIn
from civicgrid.volunteers.models import ServiceOrder
from civicgrid.volunteers.tests.conftest import People

pytestmark = pytest.mark.django_db
API = "/api/v1/volunteers"


def post(user: Any, path: str, body: dict[str, Any]) -> Any:
    client = Client()
    client.force_login(user)
    return client.post(API + path, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("kind", "field"),
    [("resident", "orderer_resident_id"), ("unit", "orderer_organisation_id")],
)
def test_a_refused_order_names_the_bodys_fields(people: People, kind: str, field: str) -> None:
    before = (ServiceOrder.objects.count(), AuditLog.objects.count())
    response = post(
        people.city.bob, "/orders", {"title": "买菜", "content": "每周一次", "orderer_kind": kind}
    )
    assert response.status_code == 422, response.json()
    detail = response.json()["detail"]
    assert field in detail, detail
    assert set(detail) <= set(VolunteerOrderIn.model_fields), detail  # no orderer_resident, node
    assert (ServiceOrder.objects.count(), AuditLog.objects.count()) == before


def test_a_missing_place_is_named_node_id(people: People) -> None:
    body = {"title": "买菜", "content": "每周一次", "orderer_kind": "council", "orderer_label": "居民议事会"}
    response = post(people.city.bob, "/orders", body)
    assert response.status_code == 422
    assert response.json()["detail"] == {"node_id": ["请选择服务地点所在的社区或网格"]}


def test_a_refused_taker_is_named_by_the_id_its_kind_reads(people: People) -> None:
    order = people.order(orderer_resident=people.r_chen)  # 陈党员 ordered for himself
    body = {"taker_kind": "party_member", "resident_id": people.r_chen.pk}
    response = post(people.city.bob, f"/orders/{order.pk}/dispatch", body)
    assert response.status_code == 422, response.json()
    assert response.json()["detail"] == {"resident_id": ["不能为自己点的服务单接单"]}
    assert set(response.json()["detail"]) <= set(TakerIn.model_fields)


def test_a_bad_version_on_the_order_page_says_to_refresh(people: People) -> None:
    order = people.order()
    client = Client()
    client.force_login(people.city.bob)
    for version in ("abc", "99999999999999999999", "-1"):
        response = client.post(
            f"/volunteers/orders/{order.pk}/act/", {"action": "publish", "version": version}
        )
        assert response.status_code == 422, version
        html = response.content.decode()
        assert "版本号无效，请刷新页面后重试" in html, version
        assert "9223372036854775807" not in html
    order.refresh_from_db()
    assert order.status == "ordered"


def test_a_refused_team_member_is_named_volunteer_id(people: People) -> None:
    pending = services.volunteer_register(actor=people.wangapo, resident=people.r_wangapo)  # 待审核
    team = services.team_create(actor=people.city.bob, community=people.city.comm_a1, name="助老队")
    response = post(people.city.bob, f"/teams/{team.pk}/members", {"volunteer_id": pending.pk})
    assert response.status_code == 422, response.json()
    assert response.json()["detail"] == {"volunteer_id": ["只有已通过审核的志愿者可以入队"]}
