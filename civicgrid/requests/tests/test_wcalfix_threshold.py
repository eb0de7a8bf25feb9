"""A changed yellow threshold (CIVICGRID_YELLOW_FRACTION) reaches the requests already open:
the scan reschedules them once, re-lights them by the new value and warns nothing twice."""

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from civicgrid.notify.models import Notification
from civicgrid.requests import services
from civicgrid.requests.constants import Light
from civicgrid.requests.models import DeadlineWarning, Request
from civicgrid.requests.services.warnings import deadline_scan
from civicgrid.workcal.models import ThresholdState

pytestmark = pytest.mark.django_db


def test_raising_the_threshold_turns_an_open_request_yellow_once(hotline: Any) -> None:
    c = hotline.city
    request = services.request_create(actor=c.olivia, data=hotline.new(category=hotline.street_vending))
    start = request.dispatched_at
    assert start is not None  # at +30 min: 90 of 120 (response), 210 of 240 (resolution) left
    with override_settings(REQUESTS_YELLOW_FRACTION=0.2):
        deadline_scan(now=start + timedelta(minutes=1))
        assert deadline_scan(now=start + timedelta(minutes=30))["checked"] == 0
    request.refresh_from_db()
    assert request.light == Light.GREEN
    with override_settings(REQUESTS_YELLOW_FRACTION=0.9):
        result = deadline_scan(now=start + timedelta(minutes=30))
        assert (
            result["rescheduled"] == 1 and result["checked"] == 1 and result["warnings"] == 2
        )  # both clocks
        request.refresh_from_db()
        assert request.light == Light.YELLOW
        again = deadline_scan(now=start + timedelta(minutes=31))
        assert again == {"checked": 0, "warnings": 0, "rescheduled": None}
    assert ThresholdState.objects.get().yellow_fraction == 0.9
    with override_settings(REQUESTS_YELLOW_FRACTION=0.2):  # back: green again, nothing sent
        notified = Notification.objects.count()
        assert deadline_scan(now=start + timedelta(minutes=32))["warnings"] == 0
        request.refresh_from_db()
        assert request.light == Light.GREEN and Notification.objects.count() == notified


def test_running_the_rescheduling_again_after_a_crash_warns_nothing_twice(hotline: Any) -> None:
    c = hotline.city
    request = services.request_create(actor=c.olivia, data=hotline.new(category=hotline.street_vending))
    start = request.dispatched_at
    assert start is not None
    with override_settings(REQUESTS_YELLOW_FRACTION=0.9):
        deadline_scan(now=start + timedelta(minutes=30))
        warned, notified = DeadlineWarning.objects.count(), Notification.objects.count()
        assert warned == 2  # response and resolution clocks yellow
        ThresholdState.objects.update(yellow_fraction=None)  # as if the record were lost
        assert deadline_scan(now=start + timedelta(minutes=30))["rescheduled"] == 1
        assert (DeadlineWarning.objects.count(), Notification.objects.count()) == (warned, notified)
        assert Request.objects.get(pk=request.pk).light == Light.YELLOW


def test_the_tick_says_it_rescheduled_by_the_new_threshold(hotline: Any) -> None:
    c = hotline.city
    services.request_create(actor=c.olivia, data=hotline.new(category=hotline.street_vending))
    with override_settings(REQUESTS_YELLOW_FRACTION=0.2):
        call_command("requests_tick", "--no-send", stdout=StringIO())
    out = StringIO()
    with override_settings(REQUESTS_YELLOW_FRACTION=0.9):
        call_command("requests_tick", "--no-send", stdout=out)
        assert "CIVICGRID_YELLOW_FRACTION" in out.getvalue() and "0.9" in out.getvalue()
        assert "检查 1 件" in out.getvalue()
        out = StringIO()
        call_command("requests_tick", "--no-send", stdout=out)
        assert "CIVICGRID_YELLOW_FRACTION" not in out.getvalue()
