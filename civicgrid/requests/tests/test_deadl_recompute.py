"""Deadlines follow the work calendar: entering a year recomputes the open requests whose
clocks cross it; yellow counts back a fraction of the limit in its own unit; a resumption
keeps (or clears) the calendar warning."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from civicgrid.core.errors import Conflict
from civicgrid.core.models import AuditLog
from civicgrid.requests import deadlines, services
from civicgrid.requests.constants import Action, ApprovalKind, ApprovalState, Light, Status
from civicgrid.requests.deadlines import ClockState, refresh_light, set_deadlines, shift_for_pause
from civicgrid.requests.models import Approval, Request, RequestEvent
from civicgrid.requests.recompute import recompute_deadlines, replay
from civicgrid.requests.services.warnings import deadline_scan
from civicgrid.workcal import clock
from civicgrid.workcal import services as workcal
from civicgrid.workcal.clock import Calendar
from civicgrid.workcal.constants import LimitUnit

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 12, 31, 10, tzinfo=SH)  # a Thursday; 2027 not entered
WARNING_2027 = "2027 年节假日安排尚未录入，期限按周一至周五计算"


def dispatched_at(hotline: Any, start: datetime = START) -> Request:
    """A lift request (24 h to sign for, 7 working days to resolve) dispatched at ``start``."""
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    clock.forget()
    set_deadlines(request, hotline.lift, start)
    request.dispatched_at = start
    refresh_light(request, start)
    request.save()
    return request


def test_entering_2027_moves_the_deadline_then_confirming_clears_the_warning(
    hotline: Any, django_capture_on_commit_callbacks: Any
) -> None:
    request = dispatched_at(hotline)
    assert request.due_resolution_at == datetime(2027, 1, 11, 10, tzinfo=SH)
    assert WARNING_2027 in request.calendar_warning
    closed = dispatched_at(hotline)
    Request.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    version = request.version

    with django_capture_on_commit_callbacks(execute=True):
        workcal.calendar_days_import(actor=None, system=True, text="2027-01-01 休 元旦\n", year=2027)
    request.refresh_from_db()
    assert request.due_resolution_at == datetime(2027, 1, 12, 10, tzinfo=SH)  # as a fresh advance gives
    assert WARNING_2027 in request.calendar_warning  # 2027 entered in part, not confirmed
    assert request.version == version + 1
    assert request.next_check_at is not None and request.next_check_at < request.due_resolution_at
    note = RequestEvent.objects.get(request=request, action=Action.NOTE, data__recomputed=[2027])
    assert "办理期限由2027-01-11 10:00重新计算为2027-01-12 10:00" in note.note
    assert AuditLog.objects.filter(verb="requests.note", target_id=str(request.pk)).exists()
    untouched = Request.objects.get(pk=closed.pk)
    assert untouched.due_resolution_at == datetime(2027, 1, 11, 10, tzinfo=SH)

    with django_capture_on_commit_callbacks(execute=True):
        workcal.calendar_year_confirm(actor=None, system=True, year=2027, few_ok=True)
    request.refresh_from_db()
    assert request.due_resolution_at == datetime(2027, 1, 12, 10, tzinfo=SH)
    assert request.calendar_warning == ""

    assert recompute_deadlines([2027])["changed"] == 0  # again: nothing moves
    assert RequestEvent.objects.filter(request=request, data__has_key="recomputed").count() == 2


def test_the_replay_counts_pauses_and_extensions_like_the_handlers_did(hotline: Any) -> None:
    request = dispatched_at(hotline, datetime(2026, 12, 21, 10, tzinfo=SH))
    paused_from, resumed = datetime(2026, 12, 22, 9, tzinfo=SH), datetime(2026, 12, 24, 15, tzinfo=SH)
    RequestEvent.objects.create(
        request=request,
        action=Action.RESUME,
        data={"paused_from": paused_from.isoformat()},
        created_at=resumed,
    )
    approval = Approval.objects.create(
        request=request,
        kind=ApprovalKind.EXTENSION,
        state=ApprovalState.APPROVED,
        unit=hotline.sub_a_unit,
        requested_by=hotline.hank,
        reason="等配件",
        extend_amount=3,
        extend_unit=LimitUnit.WORKING_DAYS,
    )
    RequestEvent.objects.create(
        request=request,
        action=Action.EXTEND_APPROVE,
        data={"approval": approval.pk},
        created_at=resumed + timedelta(hours=1),
    )
    known = Calendar(overrides={datetime(2027, 1, 1).date(): False}, known_years=frozenset({2026, 2027}))
    expected = Request(clock_unit=LimitUnit.WORKING_DAYS)
    set_deadlines(expected, hotline.lift, datetime(2026, 12, 21, 10, tzinfo=SH), known)
    shift_for_pause(expected, paused_from, resumed, known)
    deadlines.extend(expected, 3, known, unit=LimitUnit.WORKING_DAYS)
    request.refresh_from_db()
    found = replay(request, known)
    assert found is not None
    assert found.due_resolution_at == expected.due_resolution_at
    assert found.due_resolution_at == datetime(2027, 1, 7, 16, tzinfo=SH)  # 7 + 3 wd, 2.25 wd paused
    assert found.warning == ""


def test_a_page_opened_before_the_recompute_gets_a_conflict(
    hotline: Any, django_capture_on_commit_callbacks: Any
) -> None:
    request = dispatched_at(hotline)
    seen = request.version
    with django_capture_on_commit_callbacks(execute=True):
        workcal.calendar_day_set(actor=None, system=True, day=datetime(2027, 1, 1).date(), is_workday=False)
    with pytest.raises(Conflict):
        services.request_sign(actor=hotline.hank, request=request, expected_version=seen)
    request.refresh_from_db()
    assert request.responded_at is None and request.due_resolution_at == datetime(2027, 1, 12, 10, tzinfo=SH)


def test_yellow_counts_back_a_fifth_of_seven_working_days() -> None:
    cal = Calendar(known_years=frozenset({2026}))
    due = datetime(2027, 1, 11, 10, tzinfo=SH)
    state = ClockState("resolution", START, due, LimitUnit.WORKING_DAYS, cal)
    # 1.4 working days before Monday 10:00: Monday's 10 h, then 23.6 h of Friday.
    assert state.yellow_at() == datetime(2027, 1, 8, 0, 24, tzinfo=SH)
    assert state.light(datetime(2027, 1, 7, 23, tzinfo=SH)) == Light.GREEN
    assert state.light(datetime(2027, 1, 8, 12, tzinfo=SH)) == Light.YELLOW
    hours = ClockState("resolution", START, START + timedelta(hours=4), LimitUnit.HOURS, cal)
    assert hours.yellow_at() == START + timedelta(minutes=192)  # natural hours: as before


def test_working_hours_yellow_skips_the_lunch_break() -> None:
    cal = Calendar(known_years=frozenset({2026}))
    start = datetime(2026, 12, 1, 9, tzinfo=SH)  # Tuesday
    due = clock.advance(cal, start, 10, LimitUnit.WORKING_HOURS).due_at  # Wed 12:00
    state = ClockState("resolution", start, due, LimitUnit.WORKING_HOURS, cal)
    assert due == datetime(2026, 12, 2, 12, tzinfo=SH)
    assert state.yellow_at() == datetime(2026, 12, 2, 10, tzinfo=SH)  # 2 working hours left


def test_the_scan_turns_a_working_day_clock_yellow_on_working_days_left(hotline: Any) -> None:
    request = dispatched_at(hotline)
    services.request_sign(actor=hotline.hank, request=request)
    request.refresh_from_db()
    assert request.next_check_at == datetime(2027, 1, 8, 0, 24, tzinfo=SH)
    assert deadline_scan(now=datetime(2027, 1, 8, 12, tzinfo=SH))["warnings"] == 1
    request.refresh_from_db()
    assert request.light == Light.YELLOW


def test_a_resumption_into_an_unentered_year_warns_and_a_known_one_clears() -> None:
    cal = Calendar(known_years=frozenset({2026}))
    request = Request(
        clock_unit=LimitUnit.WORKING_DAYS,
        due_resolution_at=datetime(2026, 12, 29, 10, tzinfo=SH),
        calendar_warning="",
    )
    shift_for_pause(request, datetime(2026, 12, 1, 10, tzinfo=SH), datetime(2026, 12, 8, 10, tzinfo=SH), cal)
    assert request.due_resolution_at == datetime(2027, 1, 5, 10, tzinfo=SH)
    assert WARNING_2027 in request.calendar_warning

    both = Calendar(known_years=frozenset({2026, 2027}))
    shift_for_pause(
        request, datetime(2026, 12, 9, 10, tzinfo=SH), datetime(2026, 12, 10, 10, tzinfo=SH), both
    )
    assert request.due_resolution_at == datetime(2027, 1, 6, 10, tzinfo=SH)
    assert request.calendar_warning == ""
