"""The governance API under /api/v1/governance/: the same services and scope as the pages."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.accounts.services import api_token_create
from civicgrid.core.models import AuditLog
from civicgrid.governance.models import HotIssueRun, Topic
from civicgrid.governance.spikes import spike_scan
from civicgrid.governance.tests.test_hot_issues import LIFT, month_at
from civicgrid.requests.models import Request
from civicgrid.requests.rates.cells import current_month
from civicgrid.requests.rates.figures import add_months
from civicgrid.requests.tests.conftest import Hotline

pytestmark = pytest.mark.django_db
BASE = "/api/v1/governance"


class Caller:
    def __init__(self, user: Any) -> None:
        _, token = api_token_create(actor=None, system=True, user=user, name="测试")
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"{BASE}{path}", params, headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(f"{BASE}{path}", body or {}, "application/json", headers=self.headers)


def test_hot_issues_topics_and_tasks(hotline: Hotline, make: Callable[..., Request]) -> None:
    city = hotline.city
    for i, (title, content) in enumerate(LIFT):
        make(title, content, at=month_at(-1, 3 + i))
    month = f"{add_months(current_month(), -1):%Y-%m}"
    dave, carol = Caller(city.dave), Caller(city.carol)
    got = dave.get("/hot-issues", node=city.district.pk, month=month)
    assert got.status_code == 200, got.content
    body = got.json()
    assert body["stats"]["requests"] == 5 and len(body["issues"]) == 1
    # A GET stores nothing: a preview, without ids; the POST stores the run.
    assert body["stored"] is False and body["id"] is None and body["issues"][0]["id"] is None
    assert not HotIssueRun.objects.exists() and not AuditLog.objects.filter(verb="governance.hot_computed")
    saved = dave.post(f"/hot-issues/compute?node={city.district.pk}&month={month}")
    assert saved.status_code == 200 and saved.json()["stored"] is True
    stored = dave.get("/hot-issues", node=city.district.pk, month=month).json()
    assert stored["id"] == saved.json()["id"] == HotIssueRun.objects.get().pk
    issue = stored["issues"][0]
    assert issue["count"] == 5 and "电梯" in issue["keywords"] and issue["heat"] > 0
    detail = dave.get(f"/hot-issues/{issue['id']}")
    assert len(detail.json()["requests"]) == 5
    assert carol.get(f"/hot-issues/{issue['id']}").status_code == 404
    assert carol.get("/hot-issues", node=city.district.pk, month=month).status_code == 404
    assert dave.get("/hot-issues", month="2026-99").json()["code"] == "invalid"

    made = dave.post(
        "/topics",
        {
            "title": "电梯专项治理",
            "hot_issue": issue["id"],
            "leading_official": city.dave.pk,
            "lead_unit": hotline.zhujian.pk,
            "assisting_units": [hotline.sub_a_unit.pk],
        },
    )
    assert made.status_code == 201, made.content
    topic_id = made.json()["id"]
    assert made.json()["assisting_unit_ids"] == [hotline.sub_a_unit.pk]
    bad = dave.post("/topics", {"title": "x", "node": city.comm_a1.pk, "leading_official": 0, "lead_unit": 0})
    assert bad.status_code == 422 and Topic.objects.count() == 1
    deadline = (timezone.localdate() + timedelta(days=5)).isoformat()
    task = dave.post(f"/topics/{topic_id}/tasks", {"title": "排查", "deadline": deadline})
    assert task.status_code == 201
    progress = dave.post(f"/tasks/{task.json()['id']}/progress", {"progress": 100})
    assert progress.json()["status"] == "done"
    assert carol.post(f"/tasks/{task.json()['id']}/progress", {"progress": 1}).status_code == 404
    topic = dave.get(f"/topics/{topic_id}").json()
    assert len(topic["tasks"]) == 1 and any(m["count"] == 5 for m in topic["trend"])
    assert carol.get("/topics").json() == {"count": 0, "results": []}


def test_alerts_and_priority(hotline: Hotline, make: Callable[..., Request]) -> None:
    city = hotline.city
    now = timezone.now()
    for i in range(6):
        make("水管爆裂停水", "水管爆了", at=now - timedelta(minutes=i + 1), category=hotline.water_outage)
    spike_scan(now=now)
    dave, carol = Caller(city.dave), Caller(city.carol)
    page = dave.get("/alerts").json()
    alerts = page["results"]
    assert page["count"] == 1 and len(alerts) == 1 and alerts[0]["observed"] == 6
    assert carol.get("/alerts").json() == {"count": 0, "results": []}
    assert carol.post(f"/alerts/{alerts[0]['id']}/acknowledge", {"note": "x"}).status_code == 404
    assert (
        dave.post(f"/alerts/{alerts[0]['id']}/acknowledge", {"note": "抢修中"}).json()["status"]
        == "acknowledged"
    )
    rows = dave.get("/priority").json()
    assert {r["name"] for r in rows} == {"崇安寺街道", "通江街道"}
    assert dave.get("/priority", month="bad").status_code == 422
