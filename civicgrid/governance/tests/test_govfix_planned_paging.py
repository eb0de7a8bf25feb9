"""The planned page (未诉先办) pages its tasks on their own (``?tasks_page=``): they pile up
season after season. Open ones come first by deadline, then the done ones, the latest first;
the proposals' pager (``?page=``) keeps the tasks' page and the other way round."""

from datetime import date, timedelta

import pytest
from django.test import Client, override_settings

from civicgrid.governance.models import GovernanceTask, TaskStatus
from civicgrid.requests.tests.conftest import Hotline

pytestmark = pytest.mark.django_db


@override_settings(PAGE_SIZE=4)
def test_the_planned_tasks_are_paged_open_first(hotline: Hotline) -> None:
    city = hotline.city
    start = date(2026, 12, 1)
    for i in range(3):
        GovernanceTask.objects.create(
            node=city.comm_a1,
            node_path=city.comm_a1.path,
            title=f"已完成{i}",
            deadline=start + timedelta(days=i),
            status=TaskStatus.DONE,
        )
    for i in range(3):
        GovernanceTask.objects.create(
            node=city.comm_a1,
            node_path=city.comm_a1.path,
            title=f"进行中{i}",
            deadline=start + timedelta(days=9 - i),
        )
    client = Client()
    client.force_login(city.dave)
    first = client.get("/governance/planned/", {"page": "1"})
    assert first.status_code == 200
    assert [t.title for t, _may in first.context["tasks"]] == ["进行中2", "进行中1", "进行中0", "已完成2"]
    html = first.content.decode()
    assert "计划任务（6）" in html
    assert 'href="?page=1&tasks_page=2"' in html
    second = client.get("/governance/planned/", {"page": "1", "tasks_page": "2"})
    assert [t.title for t, _may in second.context["tasks"]] == ["已完成1", "已完成0"]
    assert second.context["page"].number == 1
