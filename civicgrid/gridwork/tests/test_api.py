"""The endpoints the phone's outbox posts to: idempotent entries, Chinese errors, scope."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.accounts.services import api_token_create
from civicgrid.gridwork import services
from civicgrid.gridwork.models import CarePlan, Finding, Patrol, Photo, Proposal, Visit
from civicgrid.gridwork.tests.conftest import PNG, Field, audit_count, earlier_today
from civicgrid.requests.models import Request

pytestmark = pytest.mark.django_db

BASE = "/api/v1/gridwork"


class Phone:
    """A signed-in browser session that sends the CSRF token like gridwork.js does."""

    def __init__(self, user: Any) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.client.force_login(user)
        self.client.get("/gridwork/m/") if user else None
        self.token = self.client.cookies["csrftoken"].value if "csrftoken" in self.client.cookies else ""

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        headers = {"X-CSRFToken": self.token}
        if kw.get("multipart"):
            return self.client.post(f"{BASE}{path}", body, headers=headers)
        return self.client.post(f"{BASE}{path}", body or {}, "application/json", headers=headers)

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"{BASE}{path}", params)


def finding_form(key: str, **kw: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    form: dict[str, Any] = {
        "client_key": key,
        "category": "facilities",
        "description": "路灯不亮",
        "outcome": "reported",
        "lon": "120.305",
        "lat": "31.575",
        "observed_at": (timezone.now() - timedelta(minutes=30)).isoformat(),
        "photos": [SimpleUploadedFile("灯.png", PNG, content_type="image/png")],
    }
    form.update(kw)
    return form


def test_an_offline_report_sent_three_times_is_stored_once(field: Field) -> None:
    phone = Phone(field.alice)
    answers = [phone.post("/findings", finding_form("offline-1234"), multipart=True) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 200, 200]
    assert len({a.json()["id"] for a in answers}) == 1
    assert answers[0].json()["request_number"] and answers[0].json()["photos"] == 1
    assert Finding.objects.count() == 1 and Request.objects.count() == 1 and Photo.objects.count() == 1


def test_without_the_csrf_token_a_session_post_is_refused(field: Field) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(field.alice)
    answer = client.post(f"{BASE}/patrols", {"client_key": "no-csrf-01"}, "application/json")
    assert answer.status_code in (401, 403) and not Patrol.objects.exists()


def test_a_patrol_through_the_api(field: Field) -> None:
    phone = Phone(field.alice)
    start = earlier_today(timedelta(minutes=40))
    assert (
        phone.post("/patrols", {"client_key": "api-patrol-1", "started_at": start.isoformat()}).status_code
        == 201
    )
    points = [
        {
            "at": (start + timedelta(minutes=i)).isoformat(),
            "lon": 120.301 + i * 0.001,
            "lat": 31.571,
            "accuracy": 8,
        }
        for i in range(4)
    ]
    added = phone.post("/patrols/api-patrol-1/points", {"points": points})
    assert added.status_code == 200 and added.json()["added"] == 4
    assert phone.post("/patrols/api-patrol-1/points", {"points": points}).json()["added"] == 0
    ended = phone.post("/patrols/api-patrol-1/end", {"places": "3号楼", "people_met": 5})
    assert ended.status_code == 200 and ended.json()["point_count"] == 4 and ended.json()["ended_at"]
    today = timezone.localdate().isoformat()
    log = phone.get(f"/workers/{field.alice.pk}/days/{today}").json()
    assert log["people_met"] == 5 and log["routes"][0]["geometry"]["type"] == "LineString"


def test_errors_come_back_in_chinese_with_their_fields(field: Field) -> None:
    phone = Phone(field.alice)
    before = audit_count()
    answer = phone.post(
        "/findings", finding_form("bad-entry-1", outcome="fixed", description=""), multipart=True
    )
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "invalid" and "请填写情况描述" in body["detail"]["description"]
    assert "现场处理情况" in body["message"]
    answer = phone.post("/patrols", {"client_key": "x"})
    assert answer.status_code == 422 and "条目编号" in answer.json()["message"]
    assert not Finding.objects.exists() and not Patrol.objects.exists() and audit_count() == before


def test_an_outsider_changes_nothing_through_the_api(field: Field) -> None:
    services.care_plans_generate(actor=field.city.bob, node=field.city.comm_a1)
    plan = CarePlan.objects.get()
    carol = Phone(field.city.carol)
    before = audit_count()
    answer = carol.post(
        "/visits", {"client_key": "carol-visit", "care_plan_id": plan.pk, "found": "x"}, multipart=True
    )
    assert answer.status_code == 422 and "关爱计划不存在" in answer.json()["message"]
    answer = carol.post(
        "/proposals", {"client_key": "carol-prop1", "kind": "moved_out", "resident_id": field.xiao_li.pk}
    )
    assert answer.status_code == 422 and "居民不存在" in answer.json()["message"]
    assert carol.post("/patrols", {"client_key": "carol-patrol"}).status_code == 403
    assert carol.get("/today").status_code == 403
    assert carol.get("/care-plans").json() == []
    assert carol.get(f"/workers/{field.alice.pk}/days/2025-01-01").status_code == 404
    assert not Visit.objects.exists() and not Proposal.objects.exists() and audit_count() == before


def test_today_lists_the_workers_tasks(field: Field) -> None:
    services.care_plans_generate(actor=field.city.bob, node=field.city.comm_a1)
    CarePlan.objects.update(next_due_on=timezone.localdate())
    services.campaign_launch(
        actor=field.city.bob,
        area=field.city.comm_a1,
        name="消防安全检查",
        kind="fire_safety",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=7),
    )
    body = Phone(field.alice).get("/today").json()
    assert [p["resident"] for p in body["care_due"]] == ["张*国"] and body["care_due"][0]["light"] == "yellow"
    assert body["campaigns"][0]["open"] == 2 and body["campaigns"][0]["mine"] == 2
    assert body["open_patrol"] is None
    assert Phone(field.pete).get("/today").json()["care_due"] == []


def test_another_system_uses_a_bearer_token(field: Field) -> None:
    _, token = api_token_create(actor=None, system=True, user=field.alice, name="测试")
    client = Client()
    answer = client.post(
        f"{BASE}/patrols",
        {"client_key": "token-patrol"},
        "application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 201


def test_the_community_approves_through_the_api(field: Field) -> None:
    p = services.proposal_submit(
        actor=field.alice,
        client_key="api-prop-01",
        data=services.ProposalIn(kind="moved_out", resident=field.xiao_li),
    ).entry
    assert Phone(field.city.carol).post(f"/proposals/{p.pk}/approve").status_code == 404
    answer = Phone(field.city.bob).post(f"/proposals/{p.pk}/approve", {"note": "同意"})
    assert answer.status_code == 200 and answer.json()["state"] == "approved"
    coverage = Phone(field.city.bob).get("/coverage").json()
    assert {c["grid"] for c in coverage} == {"胜利门一网格", "胜利门二网格"}
