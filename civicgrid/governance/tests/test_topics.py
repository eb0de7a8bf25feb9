"""Monthly topics: from a hot issue, with a leading official, units, tasks, before/after counts."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.governance import selectors, services
from civicgrid.governance.hot import hot_issues_compute
from civicgrid.governance.models import GovernanceTask, TaskStatus, Topic
from civicgrid.governance.tests.test_hot_issues import LIFT, month_at
from civicgrid.requests.models import Request, UnitMembership
from civicgrid.requests.rates.cells import current_month
from civicgrid.requests.rates.figures import Period, add_months
from civicgrid.requests.tests.conftest import Hotline

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(hotline: Hotline, make: Callable[..., Request]) -> Topic:
    """Lifts in A1: 2 requests three months ago, 5 two months ago (the hot issue), 1 last month."""
    for i in range(2):
        make(*LIFT[i], at=month_at(-3, 5 + i))
    for i, (title, content) in enumerate(LIFT):
        make(title, content, at=month_at(-2, 3 + i))
    make(*LIFT[3], at=month_at(-1, 4))
    make("门口占道经营", "小区门口早上有人占道摆摊", at=month_at(-1, 6), category=hotline.street_vending)
    city = hotline.city
    run = hot_issues_compute(
        actor=city.dave, node=city.district, period=Period.month(add_months(current_month(), -2))
    )
    issue = run.issues.get(rank=1)
    data = services.TopicData(
        leading_official=city.dave,
        lead_unit=hotline.zhujian,
        assisting_units=[hotline.sub_a_unit, hotline.comm_a1_unit],
        plan="排查、维修、更新",
        **{**services.topic_from_hot_issue(issue), "month": add_months(current_month(), -1)},
    )
    return services.topic_create(actor=city.dave, data=data)


def test_topic_from_hot_issue(hotline: Hotline, topic: Topic) -> None:
    assert (topic.hot_issue is not None and topic.node == hotline.city.comm_a1) or topic.node.kind == "grid"
    assert topic.lead_unit == hotline.zhujian
    assert set(topic.assisting_units.all()) == {hotline.sub_a_unit, hotline.comm_a1_unit}
    assert "电梯" in topic.keywords
    assert AuditLog.objects.filter(verb="governance.topic_created", target_id=str(topic.pk)).count() == 1


def test_before_and_after_counts(topic: Topic) -> None:
    trend = selectors.topic_trend(topic, before=3, after=3)
    by_month = {m.month: (m.count, m.after) for m in trend}
    month = topic.month
    assert by_month[add_months(month, -2)] == (2, False)
    assert by_month[add_months(month, -1)] == (5, False)
    assert by_month[month] == (1, True)  # the street vending request is another problem
    assert all(m.month <= current_month() for m in trend)


def test_tasks_deadlines_and_progress(hotline: Hotline, topic: Topic) -> None:
    city = hotline.city
    today = timezone.localdate()
    task = services.task_add(
        actor=city.dave, topic=topic, title="逐梯排查", deadline=today + timedelta(days=7)
    )
    assert task.unit == hotline.zhujian and task.node_path == topic.node_path
    # A member of the task's unit reports progress; the outsider may not.
    before = AuditLog.objects.count()
    with pytest.raises(PermissionDenied):
        services.task_progress(actor=city.carol, task=task, progress=50)
    assert AuditLog.objects.count() == before
    assert GovernanceTask.objects.get(pk=task.pk).progress == 0
    with pytest.raises(ValidationError):
        services.task_progress(actor=city.dave, task=task, progress=120)
    done = services.task_progress(actor=city.dave, task=task, progress=100, note="已完成排查")
    assert done.status == TaskStatus.DONE and done.done_at is not None and "已完成排查" in done.note
    with pytest.raises(ValidationError):
        services.task_add(actor=city.dave, topic=topic, title="", deadline=None)


def test_bad_topic_input_changes_nothing(hotline: Hotline, topic: Topic) -> None:
    city = hotline.city
    count, audits = Topic.objects.count(), AuditLog.objects.count()
    bad = services.TopicData(
        title="",
        month=current_month(),
        leading_official=city.carol,  # not a leader
        lead_unit=hotline.zhujian,
        node=city.comm_a1,
        assisting_units=[hotline.zhujian],
    )
    with pytest.raises(ValidationError) as exc:
        services.topic_create(actor=city.dave, data=bad)
    assert {"title", "leading_official", "assisting_units"} <= set(exc.value.errors)
    with pytest.raises(PermissionDenied):  # the community worker manages no topics
        services.topic_create(actor=city.bob, data=bad)
    with pytest.raises(PermissionDenied):
        services.topic_update(actor=city.carol, topic=topic, plan="改")
    assert (Topic.objects.count(), AuditLog.objects.count()) == (count, audits)
    services.topic_update(actor=city.dave, topic=topic, plan="新方案", expected_version=1)
    with pytest.raises(Conflict):
        services.topic_update(actor=city.dave, topic=topic, plan="旧版本", expected_version=1)


def test_outsider_sees_no_topic(hotline: Hotline, topic: Topic) -> None:
    assert not selectors.topics_visible(hotline.city.carol).exists()
    assert selectors.topics_visible(hotline.city.bob).get() == topic


def test_an_administrators_unit_membership_reports_nothing(hotline: Hotline, topic: Topic) -> None:
    """三员分立: a membership an administrator holds (made before the admin form refused it)
    gives no right to report a task's progress."""
    city = hotline.city
    task = services.task_add(actor=city.dave, topic=topic, title="逐梯排查", deadline=timezone.localdate())
    UnitMembership.objects.create(user=city.sysadmin, unit=hotline.zhujian)
    assert not services.may_report(city.sysadmin, task)
    with pytest.raises(PermissionDenied):
        services.task_progress(actor=city.sysadmin, task=task, progress=50)
    assert GovernanceTask.objects.get(pk=task.pk).progress == 0
