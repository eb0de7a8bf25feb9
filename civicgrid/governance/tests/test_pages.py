"""Pages of governance: hot issues with their map, topics, planned tasks, priority, alerts."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from civicgrid.core.models import AuditLog
from civicgrid.governance import text
from civicgrid.governance.models import GovernanceTask, HotIssue, HotIssueRun, SpikeAlert, Topic
from civicgrid.governance.spikes import spike_scan
from civicgrid.governance.terms import terms_index
from civicgrid.governance.tests.test_hot_issues import LIFT, VENDING, month_at
from civicgrid.requests.models import Request
from civicgrid.requests.rates.cells import current_month
from civicgrid.requests.rates.figures import Period, add_months, parse_month
from civicgrid.requests.tests.conftest import Hotline

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def save_run(client: Client, node: Any, month: str) -> None:
    """The explicit act of storing a run (计算并保存): a POST of the month's first and last day."""
    period = Period.month(parse_month(month))
    answer = client.post(
        "/governance/hot/recompute/", {"node": node.pk, "start": period.start, "end": period.end}
    )
    assert answer.status_code == 302, answer.content


@pytest.fixture
def lifts(hotline: Hotline, make: Callable[..., Request]) -> str:
    for i, (title, content) in enumerate(LIFT):
        make(title, content, at=month_at(-1, 3 + i))
    for i, (title, content) in enumerate(VENDING):
        make(title, content, at=month_at(-1, 5 + i), grid="b1_1", category=hotline.street_vending)
    return f"{add_months(current_month(), -1):%Y-%m}"


def test_hot_page_shows_a_preview_then_the_saved_run_and_the_map(hotline: Hotline, lifts: str) -> None:
    city = hotline.city
    dave = client_for(city.dave)
    page = dave.get("/governance/", {"node": str(city.district.pk), "month": lifts})
    assert page.status_code == 200
    html = page.content.decode()
    assert "热点问题" in html and "电梯" in html and "占道" in html and "尚未保存" in html
    assert "leaflet.js" in html and 'id="hot-map"' in html and "hot-points" in html
    assert "/governance/hot/recompute/" in html and "计算并保存" in html
    assert not HotIssueRun.objects.exists()
    save_run(dave, city.district, lifts)
    assert HotIssueRun.objects.count() == 1
    # Later visits read the stored run.
    issue = HotIssue.objects.get(rank=1)
    html = dave.get("/governance/", {"node": str(city.district.pk), "month": lifts}).content.decode()
    assert f"/governance/hot/{issue.pk}/" in html and "重新计算" in html and "尚未保存" not in html
    assert HotIssueRun.objects.count() == 1
    detail = dave.get(f"/governance/hot/{issue.pk}/")
    assert detail.status_code == 200 and "转为每月一题" in detail.content.decode()


def test_first_view_previews_the_run_without_jieba_in_few_queries(
    hotline: Hotline, lifts: str, monkeypatch: pytest.MonkeyPatch, django_assert_max_num_queries: Any
) -> None:
    """No run yet, every word cut (the tick ran): the page computes a preview without loading
    jieba's dictionary (a second in a fresh process) and in queries that do not grow with
    the number of hot issues."""
    terms_index(limit=None)

    def no_jieba() -> object:
        raise AssertionError("the hot-issue page loaded jieba")

    monkeypatch.setattr(text, "_jieba", no_jieba)
    dave = client_for(hotline.city.dave)
    # PostgreSQL: 4 more (a savepoint and SET LOCAL work_mem around each of the two reads).
    with django_assert_max_num_queries(29 if connection.vendor == "postgresql" else 25):
        page = dave.get("/governance/", {"node": str(hotline.city.district.pk), "month": lifts})
    assert page.status_code == 200
    issues = page.context["issues"]
    assert [(i.count, "电梯" in i.keywords or "摆摊" in i.keywords) for i in issues] == [(5, True), (3, True)]
    assert not HotIssue.objects.exists()


def test_outsider_pages(hotline: Hotline, lifts: str) -> None:
    city = hotline.city
    save_run(client_for(city.dave), city.district, lifts)
    a1_issue = HotIssue.objects.filter(node_path__startswith=city.comm_a1.path).get()
    carol = client_for(city.carol)
    assert carol.get("/governance/", {"node": str(city.comm_a1.pk), "month": lifts}).status_code == 404
    assert carol.get(f"/governance/hot/{a1_issue.pk}/").status_code == 404
    own = carol.get("/governance/", {"month": lifts})  # her own community by default
    assert own.status_code == 200
    assert "占道" in own.content.decode() and "电梯" not in own.content.decode()
    assert client_for(city.alice).get("/governance/").status_code == 403  # grid workers: no governance view


def test_bad_input_on_pages(hotline: Hotline) -> None:
    dave = client_for(hotline.city.dave)
    assert dave.get("/governance/", {"month": "2026-13"}).status_code == 422
    assert dave.get("/governance/", {"node": "abc"}).status_code == 422
    assert dave.get("/governance/", {"start": "2026-05-01", "end": "2026-04-01"}).status_code == 422
    assert dave.get("/governance/hot/999999/").status_code == 404


def test_topic_from_hot_issue_through_the_pages(hotline: Hotline, lifts: str) -> None:
    city = hotline.city
    dave = client_for(city.dave)
    save_run(dave, city.district, lifts)
    issue = HotIssue.objects.get(rank=1)
    form = dave.get("/governance/topics/new/", {"hot": str(issue.pk)})
    assert form.status_code == 200 and "牵头领导" in form.content.decode()
    bad = dave.post(
        "/governance/topics/new/", {"hot": issue.pk, "title": "", "lead_unit": hotline.zhujian.pk}
    )
    assert bad.status_code == 422 and Topic.objects.count() == 0
    made = dave.post(
        "/governance/topics/new/",
        {
            "hot": issue.pk,
            "title": "电梯故障专项治理",
            "month": f"{current_month():%Y-%m}",
            "leading_official": city.dave.pk,
            "lead_unit": hotline.zhujian.pk,
            "assisting_units": [hotline.sub_a_unit.pk],
            "plan": "排查维修",
            "keywords": "电梯",
        },
    )
    topic = Topic.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/governance/topics/{topic.pk}/"
    deadline = (timezone.localdate() + timedelta(days=10)).isoformat()
    dave.post(f"/governance/topics/{topic.pk}/tasks/", {"title": "逐梯排查", "deadline": deadline})
    task = GovernanceTask.objects.get()
    dave.post(f"/governance/tasks/{task.pk}/progress/", {"progress": "40", "note": "完成一半"})
    assert GovernanceTask.objects.get().progress == 40
    page = dave.get(f"/governance/topics/{topic.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "逐梯排查" in html and "立项前月均同类诉求" in html
    # The outsider cannot see it or change it.
    carol = client_for(city.carol)
    audits = AuditLog.objects.count()
    assert carol.get(f"/governance/topics/{topic.pk}/").status_code == 404
    assert carol.post(f"/governance/tasks/{task.pk}/progress/", {"progress": "90"}).status_code == 404
    assert GovernanceTask.objects.get().progress == 40 and AuditLog.objects.count() == audits
    assert "电梯故障专项治理" in dave.get("/governance/topics/").content.decode()


def test_planned_priority_and_alert_pages(hotline: Hotline, make: Callable[..., Request]) -> None:
    city = hotline.city
    now = timezone.now()
    for i in range(6):
        make("水管爆裂停水", "外面水管爆了", at=now - timedelta(minutes=i + 1), category=hotline.water_outage)
    spike_scan(now=now)
    dave = client_for(city.dave)
    alerts = dave.get("/governance/alerts/")
    assert alerts.status_code == 200 and "胜利门社区" in alerts.content.decode()
    alert = SpikeAlert.objects.get()
    dave.post(f"/governance/alerts/{alert.pk}/acknowledge/", {"note": "已通知抢修"})
    assert SpikeAlert.objects.get().status == "acknowledged"
    assert dave.get("/governance/planned/").status_code == 200
    priority = dave.get("/governance/priority/")
    assert priority.status_code == 200 and "崇安寺街道" in priority.content.decode()
    assert client_for(city.carol).get("/governance/alerts/").content.decode().count("胜利门社区") == 0
    home = dave.get("/")
    assert "进行中的突发预警" in home.content.decode()
