"""A topic's category prefix must name categories of the current catalogue; one topic per
problem, place and month; a refused task comes back on the topic's page with its input."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.governance import services
from civicgrid.governance.models import GovernanceTask, HotIssue, Topic
from civicgrid.governance.tests.test_topics import topic  # noqa: F401 - the fixture
from civicgrid.requests.models import CatalogueVersion
from civicgrid.requests.rates.cells import current_month
from civicgrid.requests.rates.figures import add_months
from civicgrid.requests.tests.conftest import Hotline

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def data(hotline: Hotline, **kw: Any) -> services.TopicData:
    values: dict[str, Any] = {
        "title": "电梯故障专项治理",
        "month": current_month(),
        "leading_official": hotline.city.dave,
        "lead_unit": hotline.zhujian,
        "node": hotline.city.comm_a1,
    }
    values.update(kw)
    return services.TopicData(**values)


def refused(hotline: Hotline, **kw: Any) -> dict[str, list[str]]:
    before = (Topic.objects.count(), AuditLog.objects.count())
    with pytest.raises(ValidationError) as caught:
        services.topic_create(actor=hotline.city.dave, data=data(hotline, **kw))
    assert (Topic.objects.count(), AuditLog.objects.count()) == before
    return caught.value.errors


@pytest.mark.parametrize(
    ("prefix", "reason"),
    [
        ("9" * 10_000, "分类编码前缀应为2、4或6位数字，如 01、0103"),
        ("abc", "分类编码前缀应为2、4或6位数字，如 01、0103"),
        ("010", "分类编码前缀应为2、4或6位数字，如 01、0103"),
        ("０１", "分类编码前缀应为2、4或6位数字，如 01、0103"),  # full-width digits
        ("99", "当前派单目录中没有编码以 99 开头的分类"),
    ],
)
def test_a_prefix_that_counts_nothing_is_refused(hotline: Hotline, prefix: str, reason: str) -> None:
    assert refused(hotline, category_prefix=prefix) == {"category_prefix": [reason]}


def test_a_prefix_of_the_current_catalogue_is_taken(hotline: Hotline) -> None:
    for prefix in ("01", "0101", "010101"):
        made = services.topic_create(
            actor=hotline.city.dave, data=data(hotline, title=f"电梯{prefix}", category_prefix=prefix)
        )
        assert made.category_prefix == prefix


def test_without_a_current_catalogue_a_prefix_cannot_be_checked(hotline: Hotline) -> None:
    CatalogueVersion.objects.update(is_current=False)
    assert refused(hotline, category_prefix="01") == {
        "category_prefix": ["当前没有生效的派单目录，请不填分类编码前缀"]
    }
    assert services.topic_create(actor=hotline.city.dave, data=data(hotline)).category_prefix == ""


def test_the_same_topic_twice_in_a_month_is_refused(hotline: Hotline) -> None:
    first = services.topic_create(actor=hotline.city.dave, data=data(hotline))
    errors = refused(hotline, title="  电梯故障专项治理 ")
    assert errors == {
        "title": [
            f"胜利门社区{first.month.year}年{first.month.month}月已就同名题目立项（《电梯故障专项治理》），请勿重复立项"
        ]
    }
    # Another month, or another place, is another topic.
    services.topic_create(actor=hotline.city.dave, data=data(hotline, month=add_months(current_month(), -1)))
    services.topic_create(actor=hotline.city.dave, data=data(hotline, node=hotline.city.sub_a))
    assert Topic.objects.count() == 3


def test_the_same_hot_issue_twice_in_a_month_is_refused(hotline: Hotline, topic: Topic) -> None:  # noqa: F811
    issue = topic.hot_issue
    assert isinstance(issue, HotIssue)
    again = services.topic_from_hot_issue(issue) | {"month": topic.month, "title": "换个题目也不行"}
    with pytest.raises(ValidationError) as caught:
        services.topic_create(
            actor=hotline.city.dave,
            data=services.TopicData(leading_official=hotline.city.dave, lead_unit=hotline.zhujian, **again),
        )
    assert caught.value.code == "duplicate" and "已就该热点立项" in caught.value.errors["title"][0]
    assert Topic.objects.count() == 1


def test_the_topic_page_refuses_a_bad_prefix_and_a_duplicate(hotline: Hotline) -> None:
    dave = client_for(hotline.city.dave)
    form = {
        "node": hotline.city.comm_a1.pk,
        "title": "电梯故障专项治理",
        "month": f"{current_month():%Y-%m}",
        "leading_official": hotline.city.dave.pk,
        "lead_unit": hotline.zhujian.pk,
        "assisting_units": [hotline.sub_a_unit.pk],
        "category_prefix": "abc",
    }
    bad = dave.post("/governance/topics/new/", form)
    html = bad.content.decode()
    assert bad.status_code == 422 and not Topic.objects.exists()
    assert "分类编码前缀应为2、4或6位数字" in html and 'value="abc"' in html
    assert f'<option value="{hotline.sub_a_unit.pk}" selected>' in html
    made = dave.post("/governance/topics/new/", {**form, "category_prefix": "01"})
    assert made.status_code == 302 and Topic.objects.count() == 1
    twice = dave.post("/governance/topics/new/", {**form, "category_prefix": "01"})
    assert twice.status_code == 422 and "请勿重复立项" in twice.content.decode()
    assert Topic.objects.count() == 1


def test_a_refused_task_comes_back_on_the_topic_page(hotline: Hotline, topic: Topic) -> None:  # noqa: F811
    dave = client_for(hotline.city.dave)
    audits = AuditLog.objects.count()
    answer = dave.post(f"/governance/topics/{topic.pk}/tasks/", {"title": "", "deadline": ""})
    assert answer.status_code == 422
    form = answer.context["task_form"]
    assert form.errors == {"title": ["请填写任务内容"], "deadline": ["请填写完成时限"]}
    html = answer.content.decode()
    assert "请填写任务内容" in html and "title：" not in html and "deadline：" not in html
    answer = dave.post(
        f"/governance/topics/{topic.pk}/tasks/",
        {"title": "逐梯排查", "deadline": "2026-13-01", "unit": "999999"},
    )
    form = answer.context["task_form"]
    assert answer.status_code == 422 and set(form.errors) == {"deadline"}
    assert 'value="逐梯排查"' in answer.content.decode()
    deadline = (timezone.localdate() + timedelta(days=10)).isoformat()
    answer = dave.post(
        f"/governance/topics/{topic.pk}/tasks/", {"title": "逐梯排查", "deadline": deadline, "unit": "999999"}
    )
    assert answer.status_code == 422 and answer.context["task_form"].errors == {"unit": ["责任单位不存在"]}
    assert not GovernanceTask.objects.exists() and AuditLog.objects.count() == audits
    answer = dave.post(f"/governance/topics/{topic.pk}/tasks/", {"title": "逐梯排查", "deadline": deadline})
    assert answer.status_code == 302 and GovernanceTask.objects.get().title == "逐梯排查"


def test_a_refused_progress_names_the_field_in_chinese(hotline: Hotline, topic: Topic) -> None:  # noqa: F811
    deadline = timezone.localdate() + timedelta(days=10)
    task = services.task_add(actor=hotline.city.dave, topic=topic, title="逐梯排查", deadline=deadline)
    answer = client_for(hotline.city.dave).post(
        f"/governance/tasks/{task.pk}/progress/", {"progress": "500", "note": "x"}, follow=True
    )
    html = answer.content.decode()
    assert "进度：" in html and "progress：" not in html
    task.refresh_from_db()
    assert task.progress == 0
