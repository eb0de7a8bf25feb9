"""The governance lists are paged with a total and filtered (status, area, month or days,
unit for tasks), on the pages and in the API; a bad filter is 422 naming the field, the page
keeping the form as typed."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.governance import services
from civicgrid.governance.models import GovernanceTask, Topic
from civicgrid.governance.tests.test_topics import topic  # noqa: F401  (the fixture)
from civicgrid.requests.tests.conftest import Hotline

pytestmark = pytest.mark.django_db


def _tasks(hotline: Hotline, topic: Topic, n: int) -> None:  # noqa: F811
    for i in range(n):
        services.task_add(
            actor=hotline.city.dave,
            topic=topic,
            title=f"任务{i:03d}",
            deadline=timezone.localdate() + timedelta(days=i + 1),
            unit=hotline.sub_b_unit if i % 2 else hotline.zhujian,
        )


def test_tasks_page_pages_and_filters(hotline: Hotline, topic: Topic, settings) -> None:  # noqa: F811
    settings.PAGE_SIZE = 5
    _tasks(hotline, topic, 12)
    client = Client()
    client.force_login(hotline.city.dave)
    first = client.get("/governance/tasks/").content.decode()
    assert "任务000" in first and "任务005" not in first and "第 1 / 3 页，共 12 条" in first
    third = client.get("/governance/tasks/", {"page": 3}).content.decode()
    assert "任务010" in third and "任务011" in third
    unit = client.get("/governance/tasks/", {"unit": hotline.sub_b_unit.pk}).content.decode()
    assert "任务001" in unit and "任务000" not in unit
    # the filter is kept in the pager's links
    assert f'href="?unit={hotline.sub_b_unit.pk}&page=2"' in unit
    GovernanceTask.objects.filter(title="任务000").update(status="done", progress=100)
    done = client.get("/governance/tasks/", {"status": "done"}).content.decode()
    assert "任务000" in done and "任务002" not in done


def test_bad_filters_are_named_422_with_the_form_kept(hotline: Hotline, topic: Topic) -> None:  # noqa: F811
    client = Client()
    client.force_login(hotline.city.dave)
    response = client.get("/governance/topics/", {"status": "nope", "month": "2026-13"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "状态应为以下之一" in body and "月份格式应为 YYYY-MM" in body
    assert 'value="2026-13"' in body
    assert client.get("/governance/alerts/", {"start": "2026-02-30"}).status_code == 422
    assert client.get("/governance/planned/", {"node": "99999999"}).status_code == 422
    assert client.get("/governance/tasks/", {"unit": "abc"}).status_code == 422
    ok = client.get("/governance/topics/", {"status": "active", "node": str(hotline.city.comm_a1.pk)})
    assert ok.status_code == 200 and topic.title in ok.content.decode()
    assert (
        topic.title not in client.get("/governance/topics/", {"node": hotline.city.sub_b.pk}).content.decode()
    )


def test_api_lists_page_and_filter(hotline: Hotline, topic: Topic) -> None:  # noqa: F811
    client = Client()
    client.force_login(hotline.city.dave)
    got = client.get("/api/v1/governance/topics", {"limit": 1}).json()
    assert got["count"] == 1 and got["results"][0]["id"] == topic.pk
    month = f"{topic.month:%Y-%m}"
    assert client.get("/api/v1/governance/topics", {"month": month}).json()["count"] == 1
    assert client.get("/api/v1/governance/topics", {"status": "done"}).json()["count"] == 0
    assert client.get("/api/v1/governance/topics", {"offset": 1}).json() == {"count": 1, "results": []}
    bad = client.get("/api/v1/governance/alerts", {"status": "x"})
    assert bad.status_code == 422 and "status" in bad.content.decode()
    bad = client.get("/api/v1/governance/proposals", {"end": "2026-01-01", "start": "2026-02-01"})
    assert bad.status_code == 422 and "end" in bad.content.decode()
    assert client.get("/api/v1/governance/proposals", {"limit": 0}).status_code == 422
    assert client.get("/api/v1/governance/proposals").json() == {"count": 0, "results": []}
