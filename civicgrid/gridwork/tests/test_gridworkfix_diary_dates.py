"""A worker's month and day (民情日志) on the community's pages: a month or day not yet
begun is refused (422) as the rates pages refuse a month to come, not shown as an empty
log; a month or day beyond the calendar is refused naming 月份 or 日期."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.gridwork.tests.conftest import Field

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def next_month() -> str:
    first = timezone.localdate().replace(day=1)
    return f"{(first + timedelta(days=32)):%Y-%m}"


@pytest.mark.parametrize(
    ("month", "reason"),
    [
        (None, "所选月份尚未开始，请选择本月或以前的月份"),  # next month
        ("2999-01", "所选月份尚未开始，请选择本月或以前的月份"),
        ("9999-12", "所选月份尚未开始，请选择本月或以前的月份"),
        ("1999-12", "月份不能早于2000-01"),
        ("0001-01", "月份不能早于2000-01"),
        ("2026-13", "月份格式应为 YYYY-MM"),
        ("2026-1", "月份格式应为 YYYY-MM"),
        ("abc", "月份格式应为 YYYY-MM"),
    ],
)
def test_a_month_not_begun_or_beyond_the_calendar_is_refused_naming_the_month(
    field: Field, month: str | None, reason: str
) -> None:
    page = signed_in(field.city.bob).get(
        f"/gridwork/workers/{field.alice.pk}/", {"month": month or next_month()}
    )
    text = page.content.decode()
    assert page.status_code == 422
    assert reason in text
    assert "日期或数值超出范围" not in text


def test_this_month_and_the_first_month_answer(field: Field) -> None:
    bob = signed_in(field.city.bob)
    this_month = f"{timezone.localdate():%Y-%m}"
    now = bob.get(f"/gridwork/workers/{field.alice.pk}/", {"month": this_month})
    assert now.status_code == 200 and "下月 ›" not in now.content.decode()
    first = bob.get(f"/gridwork/workers/{field.alice.pk}/", {"month": "2000-01"})
    text = first.content.decode()
    assert first.status_code == 200
    assert "‹ 上月" not in text and "?month=1999-12" not in text  # no link to a refused month
    assert "?month=2000-02" in text


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (None, "所选日期尚未到来，请选择今天或以前的日期"),  # tomorrow
        ("9999-12-31", "所选日期尚未到来，请选择今天或以前的日期"),
        ("1999-12-31", "日期不能早于2000-01-01"),
        ("0001-01-01", "日期不能早于2000-01-01"),
        ("2026-02-30", "日期格式应为 YYYY-MM-DD"),
    ],
)
def test_a_day_not_yet_come_or_beyond_the_calendar_is_refused_naming_the_day(
    field: Field, day: str | None, reason: str
) -> None:
    day = day or (timezone.localdate() + timedelta(days=1)).isoformat()
    page = signed_in(field.city.bob).get(f"/gridwork/workers/{field.alice.pk}/{day}/")
    assert page.status_code == 422 and reason in page.content.decode()


def test_today_answers(field: Field) -> None:
    today = timezone.localdate().isoformat()
    page = signed_in(field.city.bob).get(f"/gridwork/workers/{field.alice.pk}/{today}/")
    assert page.status_code == 200
