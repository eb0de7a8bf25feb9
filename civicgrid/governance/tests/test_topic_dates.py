"""Absurd dates are typing mistakes and are refused, naming the field, on page and API alike:
a topic's month from January two years back to December of next year; a task's deadline
from the day it is set to three years after it. Nothing is written on a refusal."""

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.accounts.services import api_token_create
from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.governance import services
from civicgrid.governance.models import GovernanceTask, SeasonalProposal, Topic
from civicgrid.governance.seasonal import ProposalRule, proposals_generate
from civicgrid.governance.tests.test_seasonal import TODAY, winters  # noqa: F401 - the fixture
from civicgrid.governance.tests.test_topic_checks import data
from civicgrid.governance.tests.test_topics import topic  # noqa: F401 - the fixture
from civicgrid.requests.tests.conftest import Hotline

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bearer(user: Any) -> dict[str, str]:
    _, token = api_token_create(actor=None, system=True, user=user, name="测试")
    return {"Authorization": f"Bearer {token}"}


def counts() -> tuple[int, int, int]:
    return Topic.objects.count(), GovernanceTask.objects.count(), AuditLog.objects.count()


def window() -> tuple[date, date]:
    year = timezone.localdate().year
    return date(year - 2, 1, 1), date(year + 1, 12, 1)


def month_reason() -> str:
    first, last = window()
    return f"所属月份应在{first.year}年1月至{last.year}年12月之间"


def test_the_service_takes_the_window_and_refuses_beyond_it(hotline: Hotline) -> None:
    first, last = window()
    for month in (date(1900, 1, 1), date(2099, 5, 1), first - timedelta(days=1), last + timedelta(days=31)):
        before = counts()
        with pytest.raises(ValidationError) as caught:
            services.topic_create(
                actor=hotline.city.dave, data=data(hotline, month=month, title=f"题{month}")
            )
        assert caught.value.errors == {"month": [month_reason()]}
        assert counts() == before
    for month in (first, last):
        made = services.topic_create(
            actor=hotline.city.dave, data=data(hotline, month=month, title=f"题{month}")
        )
        assert made.month == month


def test_the_topic_page_and_the_api_refuse_an_absurd_month(hotline: Hotline) -> None:
    city = hotline.city
    form = {
        "node": city.comm_a1.pk,
        "title": "电梯故障专项治理",
        "month": "1900-01",
        "leading_official": city.dave.pk,
        "lead_unit": hotline.zhujian.pk,
    }
    api = bearer(city.dave)
    before = counts()
    page = signed_in(city.dave).post("/governance/topics/new/", form)
    assert page.status_code == 422 and month_reason() in page.content.decode()
    answer = Client().post(
        "/api/v1/governance/topics",
        {**form, "month": "2099-01"},
        "application/json",
        headers=api,
    )
    assert answer.status_code == 422
    assert answer.json()["detail"] == {"month": [month_reason()]}
    assert counts() == before


def test_a_deadline_before_today_or_years_ahead_is_refused(hotline: Hotline, topic: Topic) -> None:  # noqa: F811
    today = timezone.localdate()
    latest = (
        today.replace(year=today.year + 3)
        if (today.month, today.day) != (2, 29)
        else date(today.year + 3, 2, 28)
    )
    cases = {
        date(1999, 1, 1): f"完成时限不能早于今天（{today}）",
        today - timedelta(days=1): f"完成时限不能早于今天（{today}）",
        date(2099, 12, 31): f"完成时限不能晚于{latest}（3年内）",
        latest + timedelta(days=1): f"完成时限不能晚于{latest}（3年内）",
    }
    dave = signed_in(hotline.city.dave)
    api = bearer(hotline.city.dave)
    for deadline, reason in cases.items():
        before = counts()
        with pytest.raises(ValidationError) as caught:
            services.task_add(actor=hotline.city.dave, topic=topic, title="逐梯排查", deadline=deadline)
        assert caught.value.errors == {"deadline": [reason]}
        page = dave.post(f"/governance/topics/{topic.pk}/tasks/", {"title": "逐梯排查", "deadline": deadline})
        assert page.status_code == 422 and page.context["task_form"].errors == {"deadline": [reason]}
        answer = Client().post(
            f"/api/v1/governance/topics/{topic.pk}/tasks",
            {"title": "逐梯排查", "deadline": deadline.isoformat()},
            "application/json",
            headers=api,
        )
        assert answer.status_code == 422 and answer.json()["detail"] == {"deadline": [reason]}
        assert counts() == before
    for deadline in (today, latest):
        task = services.task_add(actor=hotline.city.dave, topic=topic, title="逐梯排查", deadline=deadline)
        assert task.deadline == deadline


def test_a_proposal_accepted_late_is_due_today_and_a_typed_past_deadline_is_refused(
    hotline: Hotline,
    winters: None,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (proposal,) = proposals_generate(today=TODAY, rule=ProposalRule(lead_days=60))  # winter: 2026-11-01
    late = datetime.combine(date(2026, 11, 3), time(9), tzinfo=timezone.get_current_timezone())
    monkeypatch.setattr(timezone, "now", lambda: late)
    before = counts()
    with pytest.raises(ValidationError) as caught:
        services.proposal_accept(
            actor=hotline.city.dave, proposal=proposal, unit=hotline.sub_a_unit, deadline=date(2026, 10, 25)
        )
    assert caught.value.errors == {"deadline": ["完成时限不能早于今天（2026-11-03）"]}
    assert counts() == before and SeasonalProposal.objects.get().task is None
    task = services.proposal_accept(actor=hotline.city.dave, proposal=proposal, unit=hotline.sub_a_unit)
    assert task.deadline == date(2026, 11, 3)  # a week before the season has passed: today
