"""The volunteers API: the same services as the pages, errors in Chinese, scope enforced."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.core.models import AuditLog
from civicgrid.volunteers.constants import OrderStatus
from civicgrid.volunteers.models import Activity, ServiceOrder, Signup
from civicgrid.volunteers.tests.conftest import People, png, shift

pytestmark = pytest.mark.django_db
API = "/api/v1/volunteers"


class Caller:
    def __init__(self, user: Any) -> None:
        self.client = Client()
        self.client.force_login(user)

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(API + path, params)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(API + path, json.dumps(body or {}), content_type="application/json")


def test_order_flow_through_the_api(people: People) -> None:
    c = people.city
    elder, bob, zhang, li = Caller(people.wangapo), Caller(c.bob), Caller(people.zhang), Caller(people.li)
    created = elder.post("/orders", {"title": "代缴水电费", "content": "不会用手机缴费"})
    assert created.status_code == 201, created.json()
    order = created.json()
    assert order["status"] == "ordered" and order["orderer_label"] == "王阿婆"
    order_id = order["id"]
    assert bob.post(f"/orders/{order_id}/publish", {"expected_version": order["version"]}).json()[
        "status"
    ] == ("published")
    assert [o["id"] for o in zhang.get("/me/hall").json()] == [order_id]
    taken = zhang.post(f"/orders/{order_id}/take")
    assert taken.status_code == 200 and taken.json()["taker_label"] == "张志强"
    late = li.post(f"/orders/{order_id}/take")
    assert late.status_code in (404, 409)
    done = zhang.client.post(
        f"{API}/orders/{order_id}/complete", {"note": "已缴费", "hours": "1", "photos": [png()]}
    )
    assert done.status_code == 200, done.json()
    assert len(done.json()["photos"]) == 1
    rated = elder.post(f"/orders/{order_id}/confirm", {"rating": 5, "comment": "很好"})
    assert rated.status_code == 200 and rated.json()["status"] == "confirmed" and rated.json()["points"] > 0
    card = zhang.get("/me").json()
    assert card["points"] == rated.json()["points"] and card["orders_taken"][0]["id"] == order_id


def test_dispatch_to_a_unit_and_a_version_conflict(people: People) -> None:
    bob = Caller(people.city.bob)
    order = people.order()
    stale = bob.post(
        f"/orders/{order.pk}/dispatch",
        {"taker_kind": "unit", "organisation_id": people.shop.pk, "expected_version": order.version + 5},
    )
    assert stale.status_code == 409 and "已被他人处理" in stale.json()["message"]
    ok = bob.post(f"/orders/{order.pk}/dispatch", {"taker_kind": "unit", "organisation_id": people.shop.pk})
    assert ok.status_code == 200 and ok.json()["taker_kind"] == "unit"


def test_bad_input_is_refused_in_chinese_and_changes_nothing(people: People) -> None:
    bob = Caller(people.city.bob)
    before = (AuditLog.objects.count(), ServiceOrder.objects.count(), Activity.objects.count())
    bad = bob.post("/orders", {"title": "", "content": "", "orderer_kind": "unit", "difficulty": 9})
    assert bad.status_code == 422
    body = bad.json()
    assert (
        body["code"] == "invalid"
        and "服务内容不能为空" in body["message"]
        and "orderer_organisation_id" in body["detail"]
    )
    start = timezone.now() - timedelta(hours=1)
    bad = bob.post(
        "/activities",
        {
            "node_id": people.city.comm_a1.pk,
            "title": "x",
            "place": "x",
            "starts_at": start.isoformat(),
            "ends_at": (start - timedelta(hours=1)).isoformat(),
            "quota": -1,
            "service_type": "culture",
        },
    )
    assert bad.status_code == 422 and "结束时间应晚于开始时间" in bad.json()["message"]
    typed = bob.post("/orders", {"title": "x", "content": "x", "difficulty": "很难"})
    assert typed.status_code == 422 and "难度应为整数" in typed.json()["message"]
    assert (AuditLog.objects.count(), ServiceOrder.objects.count(), Activity.objects.count()) == before
    order = people.order()
    audit_rows = AuditLog.objects.count()
    assert "1到5星" in bob.post(f"/orders/{order.pk}/confirm", {"rating": 7}).json()["message"]
    assert bob.post(f"/orders/{order.pk}/confirm", {"rating": 5}).status_code == 409  # not completed yet
    assert bob.post(f"/orders/{order.pk}/cancel", {"reason": ""}).status_code == 422
    assert AuditLog.objects.count() == audit_rows


def test_outsider_gets_nothing_through_the_api(people: People) -> None:
    carol = Caller(people.city.carol)
    order = people.order(publish=True)
    activity = people.activity()
    assert carol.get("/orders").json()["count"] == 0
    assert [v["name"] for v in carol.get("/volunteers").json()["results"]] == ["孙通江"]  # her own
    assert carol.get("/activities").json()["count"] == 0
    before = AuditLog.objects.count()
    assert carol.get(f"/orders/{order.pk}").status_code == 404
    assert (
        carol.post(f"/orders/{order.pk}/dispatch", {"taker_kind": "unit", "organisation_id": 1}).status_code
        == 404
    )
    assert carol.post(f"/activities/{activity.pk}/close").status_code == 404
    assert carol.post(f"/volunteers/{people.v_zhang.pk}/approve").status_code == 404
    assert carol.post("/teams/colours", {"community_id": people.city.comm_a1.pk}).status_code in (403, 404)
    assert AuditLog.objects.count() == before
    assert ServiceOrder.objects.get(pk=order.pk).status == OrderStatus.PUBLISHED


def test_activity_through_the_api(people: People) -> None:
    c = people.city
    bob, zhang, li = Caller(c.bob), Caller(people.zhang), Caller(people.li)
    start = timezone.now() + timedelta(days=1)
    created = bob.post(
        "/activities",
        {
            "node_id": c.comm_a1.pk,
            "title": "社区文艺汇演",
            "place": "文化广场",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "quota": 1,
            "service_type": "culture",
        },
    )
    assert created.status_code == 201, created.json()
    aid = created.json()["id"]
    listed = bob.get("/activities").json()
    assert listed["count"] == 1 and listed["results"][0]["title"] == "社区文艺汇演"
    assert listed["results"][0]["confirmed"] == 0
    assert zhang.post(f"/activities/{aid}/signup").json()["status"] == "confirmed"
    assert li.post(f"/activities/{aid}/signup").json()["status"] == "waitlisted"
    assert zhang.post(f"/activities/{aid}/signup/cancel").json()["status"] == "cancelled"
    assert Signup.objects.get(activity_id=aid, volunteer=people.v_li).status == "confirmed"
    a = shift(Activity.objects.get(pk=aid), started_ago=timedelta(minutes=3))
    assert li.post(f"/activities/{aid}/check-in", {"code": "nope"}).status_code == 422
    assert li.post(f"/activities/{aid}/check-in", {"code": a.check_code}).json()["status"] == "checked_in"
    assert li.post(f"/activities/{aid}/check-in", {"code": a.check_code}).status_code == 409
    assert zhang.get(f"/activities/{aid}/signups").status_code == 403
    names = [s["volunteer"] for s in bob.get(f"/activities/{aid}/signups").json()]
    assert "李秀英" in names
    closing = bob.post(f"/activities/{aid}/close").json()
    assert closing == {"no_shows": 0, "auto_checked_out": 1, "completed": 1, "not_selected": 0}


def test_registration_and_figures(people: People) -> None:
    from civicgrid.volunteers.tests.conftest import make_resident

    c = people.city
    resident = make_resident(c, "许申请", c.building_a1, "13800000061", "xusq")
    mine = Caller(resident.account.user).post("/volunteers", {"skills": ["it"], "availability": ["weekend"]})
    assert mine.status_code == 201 and mine.json()["status"] == "pending"
    bob = Caller(c.bob)
    rejected = bob.post(f"/volunteers/{mine.json()['id']}/reject", {"note": ""})
    assert rejected.status_code == 422 and "原因" in rejected.json()["message"]
    assert bob.post(f"/volunteers/{mine.json()['id']}/approve").json()["status"] == "approved"
    colours = bob.post("/teams/colours", {"community_id": c.comm_a1.pk})
    assert colours.status_code == 201 and len(colours.json()) == 5
    figures = bob.get("/figures").json()
    assert figures["volunteers"] == 3 and figures["pending"] == 0
    report = bob.get("/report").json()
    assert [r["community"] for r in report] == ["胜利门社区"]
