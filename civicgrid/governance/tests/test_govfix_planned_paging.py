"""The planned page (未诉先办) pages its tasks on their own (``?tasks_page=``): they pile up
season after season. Open ones come first by deadline, then the done ones, the latest first;
the proposals' pager (``?page=``) keeps the tasks' page and the other way round."""

from datetime import date, timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from civicgrid.governance.models import GovernanceTask, ProposalStatus, Season, SeasonalProposal, TaskStatus
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


@override_settings(PAGE_SIZE=4)
def test_each_pager_keeps_the_others_page(hotline: Hotline) -> None:
    city = hotline.city
    for i in range(6):  # six decided proposals and six tasks: two pages of each
        GovernanceTask.objects.create(
            node=city.comm_a1, node_path=city.comm_a1.path, title=f"任务{i}", deadline=date(2026, 12, 1 + i)
        )
        SeasonalProposal.objects.create(
            node=city.comm_a1,
            node_path=city.comm_a1.path,
            category=hotline.water_outage,
            category_prefix=f"P{i}",
            season=Season.WINTER,
            season_start=date(2026, 11, 1),
            title=f"建议{i}",
            status=ProposalStatus.DISMISSED,
            decided_at=timezone.now() - timedelta(days=i),
        )
    client = Client()
    client.force_login(city.dave)
    both = client.get("/governance/planned/", {"page": "2", "tasks_page": "2"})
    assert (both.context["page"].number, both.context["task_page"].number) == (2, 2)
    assert [p.title for p in both.context["decided"]] == ["建议4", "建议5"]
    assert [t.title for t, _may in both.context["tasks"]] == ["任务4", "任务5"]
    html = both.content.decode()
    assert 'href="?tasks_page=2&page=1"' in html  # the proposals' pager keeps the tasks' page
    assert 'href="?page=2&tasks_page=1"' in html  # and the tasks' pager the proposals'
