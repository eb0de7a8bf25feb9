"""The year page says when the deadlines are being recomputed after a change to the calendar
(queued, not started for long: no worker, running) and how the last recompute ended, read from
django-tasks' database queue (outside tester: with no worker running nothing changed and the
page gave no sign)."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from civicgrid.workcal import selectors
from civicgrid.workcal.views import RECOMPUTE_TASK

pytestmark = pytest.mark.django_db
DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
QUEUED = "在办诉求的办理期限等待重新计算"
STALLED = "后台任务进程可能没有运行"


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selectors, "today", lambda: date(2026, 11, 23))


def _page(client: Client, year: int = 2027) -> str:
    response = client.get(reverse("workcal:year", args=[year]))
    assert response.status_code == 200
    return response.content.decode()


@override_settings(TASKS=DB_QUEUE)
def test_a_change_shows_the_recompute_queued_then_its_result(
    city: Any, django_capture_on_commit_callbacks: Any
) -> None:
    admin = Client()
    admin.force_login(city.sysadmin)
    assert "workcal-recompute" not in _page(admin)  # nothing queued yet: nothing said
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("workcal:day_set", args=[2027]),
            {"date": "2027-01-01", "kind": "rest", "name": "元旦", "version": selectors.year_version(2027)},
        )
    assert response.status_code == 302
    queued = DBTaskResult.objects.get(task_path=RECOMPUTE_TASK)
    assert queued.status == "READY"

    reader = Client()
    reader.force_login(city.dave)  # every staff account reads the calendar, and sees this too
    for client in (admin, reader):
        page = _page(client)
        assert QUEUED in page and STALLED not in page
    assert "workcal-recompute" not in _page(admin, 2025)  # another year's page: not its recompute

    DBTaskResult.objects.filter(pk=queued.pk).update(enqueued_at=timezone.now() - timedelta(minutes=10))
    assert STALLED in _page(admin)  # no worker took it

    # The worker's steps (django_tasks_db's db_worker, whose own loop closes the connection a
    # test runs in): claim, then run and store the result.
    queued.refresh_from_db()
    queued.claim("test-worker")
    page = _page(admin)
    assert "正在按修改后的日历重新计算" in page and QUEUED not in page
    result = queued.task.call(*queued.task_result.args, **queued.task_result.kwargs)
    queued.set_successful(result)
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    page = _page(admin)
    assert QUEUED not in page and "正在按修改后的日历" not in page
    counts = queued.return_value
    assert isinstance(counts, dict) and counts["years"] == [2027]
    local = timezone.localtime(queued.finished_at)
    assert (
        f"上次期限重算完成于 {local:%Y-%m-%d %H:%M}：{counts['changed']} 件期限已调整，"
        f"{counts['unchanged']} 件无需调整，{counts['skipped']} 件无法重算、保持原期限。" in page
    )


@override_settings(TASKS=DB_QUEUE)
def test_a_failed_recompute_is_said(city: Any) -> None:
    DBTaskResult.objects.create(
        task_path=RECOMPUTE_TASK,
        args_kwargs={"args": [[2026, 2027]], "kwargs": {}},
        backend_name="default",
        run_after=timezone.now(),
        status="FAILED",
        finished_at=timezone.now(),
        exception_class_path="builtins.RuntimeError",
        traceback="",
    )
    admin = Client()
    admin.force_login(city.sysadmin)
    assert "上次期限重算失败" in _page(admin, 2026) and "上次期限重算失败" in _page(admin, 2027)
    assert "上次期限重算失败" not in _page(admin, 2028)
