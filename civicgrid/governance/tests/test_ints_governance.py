"""JSON true or 1.0 is no whole number: a task's progress sent as ``true`` was read as 1
(pydantic's lax int) and stored; now 422 naming the field, and the task keeps its progress."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.core.models import AuditLog
from civicgrid.governance import services
from civicgrid.governance.models import GovernanceTask, Topic
from civicgrid.governance.tests.test_topics import topic  # noqa: F401  (the fixture)
from civicgrid.requests.tests.conftest import Hotline

pytestmark = pytest.mark.django_db


def progress(client: Client, task: GovernanceTask, body: dict[str, Any]) -> Any:
    return client.post(
        f"/api/v1/governance/tasks/{task.pk}/progress", json.dumps(body), content_type="application/json"
    )


@pytest.mark.parametrize("bad", [True, 1.0])
def test_a_progress_of_true_or_1_0_is_refused_by_name(
    hotline: Hotline,
    topic: Topic,  # noqa: F811
    bad: Any,
) -> None:
    dave = hotline.city.dave
    task = services.task_add(
        actor=dave, topic=topic, title="逐梯排查", deadline=timezone.localdate() + timedelta(days=10)
    )
    client = Client()
    client.force_login(dave)
    audits = AuditLog.objects.count()
    answer = progress(client, task, {"progress": bad})
    assert answer.status_code == 422, answer.json()
    assert answer.json()["detail"] == {"progress": ["应为整数"]}
    assert GovernanceTask.objects.get(pk=task.pk).progress == 0
    assert AuditLog.objects.count() == audits
    answer = progress(client, task, {"progress": 40})
    assert answer.status_code == 200, answer.json()
    assert GovernanceTask.objects.get(pk=task.pk).progress == 40
