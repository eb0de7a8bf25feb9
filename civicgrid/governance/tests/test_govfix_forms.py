"""Refused governance forms keep what was typed: a stale topic save (409) and a plan too long
(422) re-render the plan; a refused progress or 知悉 is kept for the page (kept form). A
progress in full-width digits is read; the fields have labels."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.core.errors import ValidationError
from civicgrid.core.kept_form import SESSION_KEY
from civicgrid.governance import services
from civicgrid.governance.models import GovernanceTask, Topic
from civicgrid.governance.tests.test_topics import topic  # noqa: F401  (the fixture)
from civicgrid.requests.tests.conftest import Hotline

pytestmark = pytest.mark.django_db


def _client(hotline: Hotline) -> Client:
    client = Client()
    client.force_login(hotline.city.dave)
    return client


def test_stale_save_keeps_the_typed_plan(hotline: Hotline, topic: Topic) -> None:  # noqa: F811
    client = _client(hotline)
    old = topic.version
    services.topic_update(actor=hotline.city.dave, topic=topic, plan="别人改过")
    response = client.post(
        f"/governance/topics/{topic.pk}/update/",
        {"plan": "我的新方案第一条", "version": old, "status": "active"},
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "我的新方案第一条" in body and "已被他人修改" in body
    assert Topic.objects.get(pk=topic.pk).plan == "别人改过"


def test_plan_has_a_limit(hotline: Hotline, topic: Topic) -> None:  # noqa: F811
    client = _client(hotline)
    response = client.post(f"/governance/topics/{topic.pk}/update/", {"plan": "方" * (services.PLAN_MAX + 1)})
    assert response.status_code == 422
    assert "工作方案最长5000个字" in response.content.decode()
    assert Topic.objects.get(pk=topic.pk).plan == "排查、维修、更新"
    with pytest.raises(ValidationError) as caught:
        services.topic_update(actor=hotline.city.dave, topic=topic, plan="方" * 5001)
    assert "plan" in caught.value.errors
    ok = client.post(f"/governance/topics/{topic.pk}/update/", {"plan": "方" * services.PLAN_MAX})
    assert ok.status_code == 302


def _task(hotline: Hotline, topic: Topic) -> GovernanceTask:  # noqa: F811
    return services.task_add(
        actor=hotline.city.dave,
        topic=topic,
        title="逐梯排查",
        deadline=timezone.localdate() + timedelta(days=9),
    )


def test_full_width_progress_is_read(hotline: Hotline, topic: Topic) -> None:  # noqa: F811
    task = _task(hotline, topic)
    response = _client(hotline).post(f"/governance/tasks/{task.pk}/progress/", {"progress": "７０"})
    assert response.status_code == 302
    assert GovernanceTask.objects.get(pk=task.pk).progress == 70


def test_refused_progress_keeps_the_note(hotline: Hotline, topic: Topic) -> None:  # noqa: F811
    task = _task(hotline, topic)
    client = _client(hotline)
    client.post(f"/governance/tasks/{task.pk}/progress/", {"progress": "150", "note": "已约谈物业"})
    kept = client.session[SESSION_KEY]
    assert kept["fields"]["note"] == ["已约谈物业"] and kept["refused"] == ["progress"]
    page = client.get(f"/governance/topics/{topic.pk}/").content.decode()
    assert '"note": ["\\u5df2\\u7ea6\\u8c08\\u7269\\u4e1a"]' in page  # for kept-form.js, once
    assert GovernanceTask.objects.get(pk=task.pk).progress == 0


def test_fields_have_labels(hotline: Hotline, topic: Topic) -> None:  # noqa: F811
    _task(hotline, topic)
    body = _client(hotline).get(f"/governance/topics/{topic.pk}/").content.decode()
    assert 'aria-label="工作方案"' in body
    assert 'aria-label="进度（%）"' in body and 'aria-label="进展说明"' in body
