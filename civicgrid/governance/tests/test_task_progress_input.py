"""A progress typed on the topic page that is not a whole number from 0 to 100 ("-1",
"50.5", "abc") is refused with a message naming the progress and what it should be; it
was "进度参数无效" on an error page for some and "进度应在0到100之间" for others."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.core.models import AuditLog
from civicgrid.governance import services
from civicgrid.governance.models import GovernanceTask, Topic
from civicgrid.governance.tests.test_topics import topic  # noqa: F401  (the fixture)
from civicgrid.requests.tests.conftest import Hotline

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("raw", ["-1", "50.5", "abc", "", "101", "１０１"])
def test_a_progress_that_is_not_0_to_100_is_refused_by_name(
    hotline: Hotline,
    topic: Topic,  # noqa: F811
    raw: str,
) -> None:
    dave = hotline.city.dave
    task = services.task_add(
        actor=dave, topic=topic, title="逐梯排查", deadline=timezone.localdate() + timedelta(days=10)
    )
    audits = AuditLog.objects.count()
    client = Client()
    client.force_login(dave)
    response = client.post(f"/governance/tasks/{task.pk}/progress/", {"progress": raw}, follow=True)
    assert response.status_code == 200
    assert "进度：进度应为0到100之间的整数" in response.content.decode()
    assert GovernanceTask.objects.get(pk=task.pk).progress == 0
    assert AuditLog.objects.count() == audits
