"""Hot issues: the growth of a period not yet ended compares its days so far with as many days
before it (and the page says so); saving a district's hot issues takes TOPIC_MANAGE, not the
GOVERNANCE_VIEW every handler on the district holds.

Before, 20 Nov–31 Dec seen on 24 Nov compared 5 days of requests with the 42 days before
20 Nov (growth and heat far too low), and a department's or an enterprise's handler whose
role sits on the district could save (and so replace) the district's hot issues.
"""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.core.errors import PermissionDenied
from civicgrid.core.models import AuditLog
from civicgrid.governance.hot import elapsed_part, hot_issues_compute, previous_period
from civicgrid.governance.models import HotIssueRun
from civicgrid.governance.tests.test_hot_issues import LIFT
from civicgrid.requests.models import Request
from civicgrid.requests.rates.cells import current_month
from civicgrid.requests.rates.figures import Period, add_months
from civicgrid.requests.tests.conftest import Hotline

pytestmark = pytest.mark.django_db


def at(day: date, hour: int = 1) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_earlier_period_is_as_long_as_what_has_happened() -> None:
    today = timezone.localdate()
    # A range ending in the future: its 5 days so far against the 5 days before it.
    future = Period(today - timedelta(days=4), today + timedelta(days=37))
    assert elapsed_part(future) == Period(future.start, today)
    assert previous_period(future) == Period(
        future.start - timedelta(days=5), future.start - timedelta(days=1)
    )
    # A range that has ended: as long as itself, just before it.
    past = Period(today - timedelta(days=30), today - timedelta(days=21))
    assert elapsed_part(past) == past
    assert previous_period(past) == Period(today - timedelta(days=40), today - timedelta(days=31))
    # An ended month: the month before; this month so far: the same days of last month.
    ended = Period.month(add_months(current_month(), -2))
    assert previous_period(ended) == Period.month(add_months(current_month(), -3))
    last = Period.month(add_months(current_month(), -1))
    so_far = previous_period(Period.month(current_month()))
    assert so_far.start == last.start
    assert so_far.end == min(last.start + timedelta(days=today.day - 1), last.end)


def test_a_range_ending_in_the_future_grows_against_as_many_days(
    hotline: Hotline, make: Callable[..., Request]
) -> None:
    city = hotline.city
    today = timezone.localdate()
    start, end = today - timedelta(days=4), today + timedelta(days=37)
    for i, (title, content) in enumerate(LIFT):
        make(title, content, at=at(start + timedelta(days=i % 4)), grid="a1_1")
    make(*LIFT[0], at=at(start - timedelta(days=2)), grid="a1_1")  # within the 5 days before
    for i, (title, content) in enumerate(LIFT[:4]):  # within the 42 days before, not the 5
        make(title, content, at=at(start - timedelta(days=20 + i)), grid="a1_1")

    run = hot_issues_compute(actor=city.dave, node=city.district, period=Period(start, end))

    lift = run.issues.get(rank=1)
    assert lift.count == 5
    assert lift.previous_count == 1  # before: 5 (42 days), growth 0 instead of 4
    assert lift.growth == pytest.approx(4.0)
    assert run.stats["elapsed"] == [str(start), str(today)]
    assert run.stats["previous"] == [str(start - timedelta(days=5)), str(start - timedelta(days=1))]

    page = client_for(city.dave).get(
        "/governance/", {"node": str(city.district.pk), "start": str(start), "end": str(end)}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "本期尚未结束" in html and "（5 天）" in html
    assert f"{start - timedelta(days=5):%Y-%m-%d} 至 {start - timedelta(days=1):%Y-%m-%d}" in html
    assert f"{start:%Y-%m-%d} 至 {today:%Y-%m-%d}" in html


def test_an_ended_month_says_nothing_of_days_so_far(hotline: Hotline) -> None:
    month = add_months(current_month(), -2)
    page = client_for(hotline.city.dave).get("/governance/", {"month": f"{month:%Y-%m}"})
    html = page.content.decode()
    assert page.status_code == 200 and "本期尚未结束" not in html


@pytest.mark.parametrize("who", ["dora", "walt"])  # 区城管局, 市自来水公司: handlers on the district
def test_a_handler_on_the_district_may_look_but_not_save(hotline: Hotline, who: str) -> None:
    city = hotline.city
    user = User.objects.get(username=who)
    period = Period.month(current_month())
    client = client_for(user)
    before = AuditLog.objects.count()

    page = client.get("/governance/", {"node": city.district.pk})
    assert page.status_code == 200
    assert "/governance/hot/recompute/" not in page.content.decode()
    form = {"node": city.district.pk, "start": period.start, "end": period.end}
    assert client.post("/governance/hot/recompute/", form).status_code == 403
    api = client.post(
        f"/api/v1/governance/hot-issues/compute?node={city.district.pk}&month={period.start:%Y-%m}"
    )
    assert api.status_code == 403
    with pytest.raises(PermissionDenied):
        hot_issues_compute(actor=user, node=city.district, period=period)
    assert not HotIssueRun.objects.exists()
    assert AuditLog.objects.filter(verb="governance.hot_computed").count() == 0
    assert AuditLog.objects.count() >= before

    leader = client_for(city.dave)
    assert (
        "/governance/hot/recompute/"
        in leader.get("/governance/", {"node": city.district.pk}).content.decode()
    )
    assert leader.post("/governance/hot/recompute/", form).status_code == 302
    assert HotIssueRun.objects.count() == 1
