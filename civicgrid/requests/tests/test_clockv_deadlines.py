"""The request page's deadlines as an outside tester read them by hand: the time left in the
clock's own unit (工作日, 工作小时) counted on the work calendar, and the timeline's entries
that moved the deadline showing it before and after."""

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from civicgrid.requests import services
from civicgrid.requests.constants import Action
from civicgrid.requests.models import Request, RequestEvent
from civicgrid.requests.web_helpers import clock_view, deadline_change
from civicgrid.workcal.clock import Calendar

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
# 2026-11-26 is a Thursday; 2026-11-28/29 the weekend. Nothing entered: Monday–Friday.
CAL = Calendar(overrides={}, known_years=frozenset({2026}))


def signed(hotline: Any, **kw: Any) -> Request:
    """Signed for by its lead unit: the response clock stopped, the resolution clock runs."""
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new(**kw))
    handler = hotline.dora if request.lead_unit_id == hotline.chengguan.pk else hotline.hank
    return services.request_sign(actor=handler, request=request)


def due(request: Request, at: datetime, unit: str | None = None) -> Request:
    fields: dict[str, Any] = {"due_resolution_at": at}
    if unit:
        fields["clock_unit"] = unit
    Request.objects.filter(pk=request.pk).update(**fields)
    return Request.objects.select_related("category").get(pk=request.pk)


def test_working_days_left_are_counted_on_the_calendar_not_the_wall(hotline: Any) -> None:
    """Thursday 00:00 to Monday 12:00 is 4½ wall days but 2.5 working days (the weekend stops it)."""
    request = due(signed(hotline), datetime(2026, 11, 30, 12, tzinfo=SH))
    assert request.clock_unit == "working_days"
    view = clock_view(request, datetime(2026, 11, 26, tzinfo=SH), CAL)
    assert view.left == "剩余 2.5 个工作日" and not view.overdue


def test_working_days_overdue_are_counted_in_working_days(hotline: Any) -> None:
    request = due(signed(hotline), datetime(2026, 11, 26, 12, tzinfo=SH))
    view = clock_view(request, datetime(2026, 11, 30, 12, tzinfo=SH), CAL)  # Thu 12:00 → Mon 12:00
    assert view.left == "已超期 2 个工作日" and view.overdue


def test_working_hours_count_only_office_hours(hotline: Any) -> None:
    """Thursday 09:00 to Friday 12:00: 7 office hours on Thursday and 3 on Friday."""
    request = due(signed(hotline), datetime(2026, 11, 27, 12, tzinfo=SH), "working_hours")
    assert clock_view(request, datetime(2026, 11, 26, 9, tzinfo=SH), CAL).left == "剩余 10 个工作小时"
    # Due Friday at the end of the day, seen on Monday at 10:00: one office hour late.
    late = due(request, datetime(2026, 11, 27, 17, 30, tzinfo=SH))
    assert clock_view(late, datetime(2026, 11, 30, 10, tzinfo=SH), CAL).left == "已超期 1 个工作小时"


def test_a_sliver_of_working_time_is_not_shown_as_nothing(hotline: Any) -> None:
    request = due(signed(hotline), datetime(2026, 11, 26, 12, 1, tzinfo=SH))
    assert clock_view(request, datetime(2026, 11, 26, 12, tzinfo=SH), CAL).left == "剩余 不足 0.1 个工作日"


def test_natural_hour_clocks_keep_wall_clock_time(hotline: Any) -> None:
    request = due(signed(hotline, category=hotline.street_vending), datetime(2026, 11, 28, 15, tzinfo=SH))
    assert request.clock_unit == "hours"
    assert clock_view(request, datetime(2026, 11, 26, 12, tzinfo=SH), CAL).left == "剩余 2天3小时"
    assert clock_view(request, datetime(2026, 11, 28, 20, tzinfo=SH), CAL).left == "超期 5小时0分"


def test_the_request_page_shows_working_days_left(client: Client, hotline: Any) -> None:
    request = signed(hotline)  # a lift: 7 working days
    client.force_login(hotline.city.olivia)
    html = client.get(f"/requests/{request.pk}/").content.decode()
    assert re.search(r"办理剩余 [\d.]+ 个工作日", html), html
    assert not re.search(r"剩余 \d+天", html)


def local(value: datetime | None) -> str:
    assert value is not None
    return value.astimezone(SH).strftime("%Y-%m-%d %H:%M")


def test_an_approved_extension_shows_the_deadline_before_and_after(client: Client, hotline: Any) -> None:
    request = signed(hotline)
    before = Request.objects.get(pk=request.pk).due_resolution_at
    services.request_extend(actor=hotline.hank, request=request, amount=3, reason="需要协调")
    request.refresh_from_db()
    after = services.request_extend_decide(actor=hotline.city.olivia, request=request, approve=True)
    assert after.due_resolution_at != before
    client.force_login(hotline.city.olivia)
    html = client.get(f"/requests/{request.pk}/").content.decode()
    assert f"办理期限 {local(before)} → {local(after.due_resolution_at)}" in html


def test_any_event_storing_the_deadlines_shows_them(client: Client, hotline: Any) -> None:
    """A resumption (or any other event) whose data carries due_before / due_after."""
    request = signed(hotline)
    services.request_suspend(actor=hotline.city.olivia, request=request, reason="等待业主")
    request.refresh_from_db()
    services.request_resume(actor=hotline.city.olivia, request=request)
    event = RequestEvent.objects.get(request=request, action=Action.RESUME)
    old = datetime(2026, 12, 1, 9, 30, tzinfo=SH)
    event.data = {
        **event.data,
        "due_before": old.isoformat(),
        "due_after": (old + timedelta(days=2)).isoformat(),
    }
    event.save(update_fields=["data"])
    client.force_login(hotline.city.olivia)
    html = client.get(f"/requests/{request.pk}/").content.decode()
    assert "办理期限 2026-12-01 09:30 → 2026-12-03 09:30" in html


def test_deadline_change_in_local_time_and_without_a_value() -> None:
    utc = "2026-12-01T01:30:00+00:00"  # 09:30 in Shanghai
    assert deadline_change({"due_before": utc, "due_after": None}) == ("2026-12-01 09:30", "—")
    assert deadline_change({"due_before": "not a date", "due_after": utc}) == ("—", "2026-12-01 09:30")
    assert deadline_change({"approval": 3}) is None
    assert deadline_change(None) is None
