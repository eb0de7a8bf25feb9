"""The calendar for every staff account (read-only), the yellow threshold shown, and the
admin's words for a day entered twice (the later-year warning: requests/tests/test_wcalfix_later_year)."""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from civicgrid.workcal import selectors
from civicgrid.workcal.models import CalendarDay, ThresholdState

SH = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    monkeypatch.setattr(selectors, "today", lambda: TODAY)
    return TODAY


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["olivia", "bob", "alice", "dave", "secadmin", "auditor"])
def test_every_staff_account_reads_the_calendar_without_its_forms(city: Any, who: str) -> None:
    CalendarDay.objects.create(date=date(2027, 1, 1), is_workday=False, name="元旦")
    client = client_for(getattr(city, who))
    index = client.get(reverse("workcal:index"))
    assert index.status_code == 200
    year = client.get(reverse("workcal:year", args=[2027]))
    assert year.status_code == 200
    page = year.content.decode()
    assert "元旦" in page and "只读" in page
    assert reverse("workcal:day_set", args=[2027]) not in page
    assert reverse("workcal:import", args=[2027]) not in page
    assert reverse("workcal:day_clear", args=[2027]) not in page
    assert reverse("workcal:confirm", args=[2027]) not in page
    assert client.get(reverse("workcal:export", args=[2027])).status_code == 200
    assert client.post(reverse("workcal:day_clear", args=[2027]), {"date": "2027-01-01"}).status_code == 403
    assert CalendarDay.objects.filter(date=date(2027, 1, 1)).exists()


@pytest.mark.django_db
def test_the_administrator_still_sees_the_forms(city: Any) -> None:
    page = client_for(city.sysadmin).get(reverse("workcal:year", args=[2027])).content.decode()
    assert reverse("workcal:import", args=[2027]) in page and "只读" not in page


@pytest.mark.django_db
def test_the_yellow_threshold_is_shown_with_its_setting(city: Any) -> None:
    with override_settings(REQUESTS_YELLOW_FRACTION=0.9):
        page = client_for(city.sysadmin).get(reverse("workcal:index")).content.decode()
        assert "CIVICGRID_YELLOW_FRACTION=0.9" in page and "90%" in page
        assert "按新阈值重新检查" in page  # the scan has not rescheduled by it yet
        ThresholdState.objects.create(
            pk=1, yellow_fraction=0.9, changed_at=datetime(2026, 11, 23, 9, 0, tzinfo=SH)
        )
        page = client_for(city.sysadmin).get(reverse("workcal:index")).content.decode()
        assert "按新阈值重新检查" not in page and "2026-11-23 09:00" in page


@pytest.mark.django_db
def test_the_admin_names_the_day_already_entered(city: Any) -> None:
    CalendarDay.objects.create(date=date(2027, 1, 1), is_workday=False, name="元旦")
    response = client_for(city.sysadmin).post(
        reverse("admin:workcal_calendarday_add"), {"date": "2027-01-01", "is_workday": "", "name": "元旦"}
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "日期 2027-01-01 已录入（类型：放假·元旦）" in page
    assert "已存在" not in page
