"""A task given to a unit outside the place's scope (通江街道办事处 on a 胜利门 topic) is its
members' to see and report on: the task on /governance/tasks/, the topic read-only, the
progress by page and API. Members of an assisting unit see the topic."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role
from civicgrid.conftest import make_user
from civicgrid.governance import selectors, services
from civicgrid.governance.models import GovernanceTask, Topic
from civicgrid.governance.tests.test_topics import topic  # noqa: F401  (the fixture)
from civicgrid.requests.models import UnitMembership
from civicgrid.requests.tests.conftest import Hotline

pytestmark = pytest.mark.django_db


@pytest.fixture
def tina(hotline: Hotline):
    """A handler of 通江街道办事处 (sub B): no view of sub A's places by role."""
    user = make_user("tina", "唐娜")
    UnitMembership.objects.create(user=user, unit=hotline.sub_b_unit)
    accounts.role_grant(actor=None, system=True, user=user, role=Role.HANDLER, node=hotline.city.sub_b)
    return user


def _task(hotline: Hotline, topic: Topic, unit, title: str = "通江协查") -> GovernanceTask:  # noqa: F811
    return services.task_add(
        actor=hotline.city.dave,
        topic=topic,
        title=title,
        deadline=timezone.localdate() + timedelta(days=10),
        unit=unit,
    )


def test_members_of_the_task_unit_see_it_and_report(hotline: Hotline, topic: Topic, tina) -> None:  # noqa: F811
    theirs = _task(hotline, topic, hotline.sub_b_unit)
    other = _task(hotline, topic, hotline.zhujian, "住建排查")
    assert list(selectors.tasks_visible(tina)) == [theirs]
    client = Client()
    client.force_login(tina)
    tasks = client.get("/governance/tasks/").content.decode()
    assert "通江协查" in tasks and "住建排查" not in tasks
    page = client.get(f"/governance/topics/{topic.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    # read-only beyond their task: no plan form, no 添加任务, a progress form for theirs alone
    assert 'name="plan"' not in body and 'id="task-add"' not in body
    assert f"/governance/tasks/{theirs.pk}/progress/" in body
    assert f"/governance/tasks/{other.pk}/progress/" not in body
    response = client.post(f"/governance/tasks/{theirs.pk}/progress/", {"progress": "40", "note": "已走访"})
    assert response.status_code == 302
    assert GovernanceTask.objects.get(pk=theirs.pk).progress == 40
    # the other task of the topic: seen on the topic page, not theirs to report on
    assert client.post(f"/governance/tasks/{other.pk}/progress/", {"progress": "40"}).status_code == 404
    api = client.post(
        f"/api/v1/governance/tasks/{theirs.pk}/progress",
        {"progress": 70},
        content_type="application/json",
    )
    assert api.status_code == 200 and api.json()["progress"] == 70
    assert client.get(f"/api/v1/governance/topics/{topic.pk}").status_code == 200
    # still no leader: the plan cannot be changed
    assert client.post(f"/governance/topics/{topic.pk}/update/", {"plan": "x"}).status_code == 403


def test_members_of_an_assisting_unit_see_the_topic(hotline: Hotline, topic: Topic, tina) -> None:  # noqa: F811
    client = Client()
    client.force_login(tina)
    assert client.get(f"/governance/topics/{topic.pk}/").status_code == 404
    topic.assisting_units.add(hotline.sub_b_unit)
    assert client.get(f"/governance/topics/{topic.pk}/").status_code == 200
    assert topic.title in client.get("/governance/topics/").content.decode()
    assert list(selectors.topics_visible(tina)) == [topic]
    # carol (a worker of 通江社区, no unit) sees nothing of it
    assert not selectors.topics_visible(hotline.city.carol).exists()
