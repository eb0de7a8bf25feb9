"""The report page: every figure follows the chosen period (found by an outside tester: the
hours column and the five cards were all-time whatever the period, the points board used the
calendar month)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client

from civicgrid.volunteers import services
from civicgrid.volunteers.models import Activity, Volunteer
from civicgrid.volunteers.tests.conftest import People, at, shift

pytestmark = pytest.mark.django_db


def _served(people: People, *, days_ago: int, hours: int) -> Activity:
    c = people.city
    a = people.activity(quota=2, difficulty=1)
    services.activity_signup(actor=people.zhang, activity=a)
    a = shift(a, started_ago=timedelta(days=days_ago))
    services.activity_check_in(actor=c.bob, activity=a, volunteer=people.v_zhang, at=at(a, 0))
    services.activity_check_out(actor=c.bob, activity=a, volunteer=people.v_zhang, at=at(a, 60 * hours))
    return a


def test_every_figure_of_the_report_follows_the_period(people: People) -> None:
    c = people.city
    _served(people, days_ago=400, hours=3)
    _served(people, days_ago=25, hours=2)
    assert Volunteer.objects.get(pk=people.v_zhang.pk).hours_total == Decimal("5.0")
    bob = Client()
    bob.force_login(c.bob)

    whole = bob.get("/volunteers/report/", {"period": "all"})
    row = next(r for r in whole.context["rows"] if r.community == c.comm_a1)
    assert row.hours == Decimal("5.0") and whole.context["total"].hours == Decimal("5.0")
    assert whole.context["total"].activities == 2 and whole.context["total"].volunteers == 2

    month = bob.get("/volunteers/report/", {"period": "month"})
    row = next(r for r in month.context["rows"] if r.community == c.comm_a1)
    assert row.hours == Decimal("2.0") and row.activities == 1 and row.attended == 1
    total = month.context["total"]
    assert total.hours == Decimal("2.0") and total.activities == 1
    assert total.volunteers == 2  # 张志强 and 李秀英 registered just now, within the period
    html = month.content.decode()
    assert "近30天服务小时" in html and "统计期间：近30天" in html and "积分榜（个人，近30天）" in html
    # the points board: the rolling 30 days (10 points an hour, difficulty 1: 20 points)
    assert [(r.name, r.points) for r in month.context["leaders"]] == [("张志强", 20)]

    year = bob.get("/volunteers/report/", {"period": "year"})
    assert year.context["total"].hours == Decimal("2.0")
    assert [(r.name, r.points) for r in year.context["leaders"]] == [("张志强", 20)]


def test_volunteers_registered_before_the_period_are_not_new(people: People) -> None:
    c = people.city
    Volunteer.objects.filter(pk=people.v_li.pk).update(
        applied_at=people.v_li.applied_at - timedelta(days=100)
    )
    bob = Client()
    bob.force_login(c.bob)
    month = bob.get("/volunteers/report/", {"period": "month"})
    row = next(r for r in month.context["rows"] if r.community == c.comm_a1)
    assert row.volunteers == 1 and month.context["total"].volunteers == 1  # 张志强 only
    assert bob.get("/volunteers/report/").context["total"].volunteers == 2


def test_the_report_api_takes_the_same_period(people: People) -> None:
    c = people.city
    _served(people, days_ago=400, hours=3)
    _served(people, days_ago=25, hours=2)
    bob = Client()
    bob.force_login(c.bob)

    def hours(period: str) -> str:
        rows = bob.get("/api/v1/volunteers/report", {"period": period}).json()
        return next(r["hours"] for r in rows if r["community_id"] == c.comm_a1.pk)

    assert Decimal(hours("all")) == Decimal("5.0")
    assert Decimal(hours("month")) == Decimal("2.0")
    default = bob.get("/api/v1/volunteers/report").json()
    assert default == bob.get("/api/v1/volunteers/report", {"period": "all"}).json()  # 累计
    refused = bob.get("/api/v1/volunteers/report", {"period": "week"})
    assert refused.status_code == 422 and "period" in refused.json()["detail"]
