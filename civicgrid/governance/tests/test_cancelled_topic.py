"""A topic completed or cancelled takes no more work: no new task, no progress (page and API,
422, nothing written), the page shows no such forms, and its open tasks are left as they
were but no longer counted as in progress or overdue on the home page. The home card lists
what it counts (/governance/tasks/). A progress note is at most 500 characters."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.governance import services
from civicgrid.governance.figures import home_figures
from civicgrid.governance.models import GovernanceTask, TaskStatus, Topic, TopicStatus
from civicgrid.governance.tests.test_api import Caller
from civicgrid.governance.tests.test_topics import topic  # noqa: F401  (the fixture)
from civicgrid.requests.tests.conftest import Hotline
from civicgrid.territory.tests.threads import postgres_only, run_at_once, slow_audit

pytestmark = pytest.mark.django_db


def _task(topic: Topic, title: str = "逐梯排查", days: int = 10) -> GovernanceTask:  # noqa: F811
    return services.task_add(
        actor=topic.leading_official,
        topic=topic,
        title=title,
        deadline=timezone.localdate() + timedelta(days=days),
    )


def _overdue(task: GovernanceTask) -> None:
    """A deadline already past (the services refuse to set one)."""
    GovernanceTask.objects.filter(pk=task.pk).update(deadline=timezone.localdate() - timedelta(days=3))


def _figure(user: object, label: str) -> tuple[object, str, str]:
    found = next(f for f in home_figures(user) if str(f.label) == label)
    return found.value, str(found.hint or ""), found.url


@pytest.mark.parametrize("status", [TopicStatus.CANCELLED, TopicStatus.DONE])
def test_a_closed_topic_takes_no_task_nor_progress(
    hotline: Hotline,
    topic: Topic,  # noqa: F811
    status: str,
) -> None:
    dave = hotline.city.dave
    task = _task(topic)
    services.topic_update(actor=dave, topic=topic, status=status)
    audits = AuditLog.objects.count()
    with pytest.raises(ValidationError) as added:
        _task(topic, "再加一项")
    assert "不能再添加任务" in added.value.message
    with pytest.raises(ValidationError) as progressed:
        services.task_progress(actor=dave, task=task, progress=70)
    assert "不能再添加任务或更新进度" in progressed.value.message
    task.refresh_from_db()
    assert (task.progress, task.status) == (0, TaskStatus.OPEN)
    assert topic.tasks.count() == 1
    assert AuditLog.objects.count() == audits
    # Back in progress, it takes work again.
    services.topic_update(actor=dave, topic=topic, status=TopicStatus.ACTIVE)
    assert services.task_progress(actor=dave, task=task, progress=70).progress == 70
    assert _task(topic, "再加一项").pk


def test_the_page_refuses_and_hides_the_forms(hotline: Hotline, topic: Topic) -> None:  # noqa: F811
    dave = hotline.city.dave
    task = _task(topic)
    client = Client()
    client.force_login(dave)
    page = client.get(f"/governance/topics/{topic.pk}/").content.decode()
    assert 'id="task-add"' in page and f"/governance/tasks/{task.pk}/progress/" in page
    saved = client.post(
        f"/governance/topics/{topic.pk}/update/",
        {"status": "cancelled", "plan": topic.plan, "version": topic.version},
        follow=True,
    )
    assert "已保存" in saved.content.decode()
    page = client.get(f"/governance/topics/{topic.pk}/").content.decode()
    assert 'id="task-add"' not in page
    assert f"/governance/tasks/{task.pk}/progress/" not in page
    assert "该题目已撤销：不再添加任务、更新进度" in page
    deadline = (timezone.localdate() + timedelta(days=5)).isoformat()
    added = client.post(f"/governance/topics/{topic.pk}/tasks/", {"title": "新任务", "deadline": deadline})
    assert added.status_code == 422
    assert "该题目已撤销，不能再添加任务或更新进度" in added.content.decode()
    progressed = client.post(f"/governance/tasks/{task.pk}/progress/", {"progress": "70"}, follow=True)
    body = progressed.content.decode()
    assert "该题目已撤销，不能再添加任务或更新进度" in body and "已更新进度" not in body
    assert topic.tasks.count() == 1
    assert GovernanceTask.objects.get(pk=task.pk).progress == 0


def test_the_api_refuses_with_422(hotline: Hotline, topic: Topic) -> None:  # noqa: F811
    dave = Caller(hotline.city.dave)
    task = _task(topic)
    services.topic_update(actor=hotline.city.dave, topic=topic, status=TopicStatus.CANCELLED)
    deadline = (timezone.localdate() + timedelta(days=5)).isoformat()
    added = dave.post(f"/topics/{topic.pk}/tasks", {"title": "新任务", "deadline": deadline})
    assert added.status_code == 422, added.content
    assert added.json()["code"] == "topic_closed"
    progressed = dave.post(f"/tasks/{task.pk}/progress", {"progress": 70})
    assert progressed.status_code == 422 and progressed.json()["code"] == "topic_closed"
    shown = dave.get(f"/topics/{topic.pk}").json()
    assert shown["status"] == "cancelled" and len(shown["tasks"]) == 1


def test_home_counts_only_the_tasks_of_live_topics_and_lists_them(
    hotline: Hotline,
    topic: Topic,  # noqa: F811
) -> None:
    dave = hotline.city.dave
    live, late = _task(topic, "在办"), _task(topic, "超期")
    _overdue(late)
    assert _figure(dave, "超期的治理任务") == (1, "共 2 项进行中", "/governance/tasks/")
    client = Client()
    client.force_login(dave)
    listed = client.get("/governance/tasks/").content.decode()
    assert live.title in listed and late.title in listed and "已超期" in listed
    services.topic_update(actor=dave, topic=topic, status=TopicStatus.CANCELLED)
    assert _figure(dave, "超期的治理任务") == (0, "共 0 项进行中", "/governance/tasks/")
    listed = client.get("/governance/tasks/").content.decode()
    assert "没有进行中的治理任务" in listed and f"/governance/tasks/{late.pk}/progress/" not in listed
    # The tasks themselves are left as they were.
    assert set(topic.tasks.values_list("status", flat=True)) == {TaskStatus.OPEN}


def test_a_progress_note_is_at_most_500_characters(hotline: Hotline, topic: Topic) -> None:  # noqa: F811
    dave = hotline.city.dave
    task = _task(topic)
    audits = AuditLog.objects.count()
    client = Client()
    client.force_login(dave)
    response = client.post(
        f"/governance/tasks/{task.pk}/progress/", {"progress": "30", "note": "进" * 600}, follow=True
    )
    assert "进展说明最长500个字（现为600个字）" in response.content.decode()
    task.refresh_from_db()
    assert (task.progress, task.note) == (0, "")
    assert AuditLog.objects.count() == audits
    assert services.task_progress(actor=dave, task=task, progress=30, note="展" * 500).progress == 30


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_work_beside_a_cancellation_waits_for_it_and_is_refused(
    hotline: Hotline,
    topic: Topic,  # noqa: F811
    monkeypatch: Any,
) -> None:
    """The topic's row lock: a progress and a new task that arrive while a leader cancels the
    topic (its transaction not yet committed) wait for it, then find the topic cancelled."""
    dave = hotline.city.dave
    task = _task(topic)
    cancelling = slow_audit(monkeypatch, services)
    results = run_at_once(
        lambda: services.topic_update(actor=dave, topic=topic, status=TopicStatus.CANCELLED),
        lambda: services.task_progress(actor=dave, task=task, progress=70),
        lambda: _task(topic, "同时添加"),
        after=cancelling,
    )
    assert isinstance(results[0], Topic), results
    assert all(isinstance(r, ValidationError) and r.code == "topic_closed" for r in results[1:]), results
    assert GovernanceTask.objects.get(pk=task.pk).progress == 0
    assert topic.tasks.count() == 1
