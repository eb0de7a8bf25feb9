"""A later year that open requests' deadlines already fall in, with no schedule entered, is
warned of on the calendar pages and the administrator's home page, not only this year and next."""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.requests import services
from civicgrid.requests.models import Request
from civicgrid.workcal import figures, selectors
from civicgrid.workcal.models import CalendarYear

SH = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 23)

pytestmark = pytest.mark.django_db


def test_a_later_year_open_deadlines_fall_in_is_warned_of(
    hotline: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "today", lambda: TODAY)
    city = hotline.city
    CalendarYear.objects.get_or_create(year=2026, defaults={"source": "test"})
    CalendarYear.objects.get_or_create(year=2027, defaults={"source": "test"})
    request = services.request_create(actor=city.olivia, data=hotline.new(category=hotline.street_vending))
    Request.objects.filter(pk=request.pk).update(due_resolution_at=datetime(2028, 1, 10, 17, 0, tzinfo=SH))
    warnings = dict(selectors.pending_warnings(TODAY))
    assert list(warnings) == [2028]
    assert "2028 年节假日安排尚未录入" in warnings[2028] and "1 件在办诉求" in warnings[2028]
    client = Client()
    client.force_login(city.sysadmin)
    page = client.get(reverse("workcal:index")).content.decode()
    assert "2028 年节假日安排尚未录入" in page
    assert reverse("workcal:year", args=[2028]) in page
    assert [n.text for n in figures.home_notices(city.sysadmin)] == [warnings[2028]]
    CalendarYear.objects.create(year=2028, source="test")
    assert selectors.pending_warnings(TODAY) == []
