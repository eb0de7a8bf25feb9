"""The periodic scan: yellow then red, once each, supervision on red, idempotent."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from civicgrid.notify.models import Notification
from civicgrid.notify.services import outbox_drain
from civicgrid.requests import services
from civicgrid.requests.constants import Light
from civicgrid.requests.deadlines import running_clocks
from civicgrid.requests.models import DeadlineWarning, Request
from civicgrid.requests.services.warnings import deadline_scan
from civicgrid.requests.tests.people import unit_member

pytestmark = pytest.mark.django_db


def test_scan_raises_yellow_then_red_once_and_supervises(hotline: Any) -> None:
    c = hotline.city
    request = services.request_create(actor=c.olivia, data=hotline.new(category=hotline.street_vending))
    # Response limit 2 h, resolution 4 h, yellow at 20 % left.
    assert request.next_check_at is not None
    start = request.dispatched_at
    assert start is not None
    assert deadline_scan(now=start + timedelta(minutes=30))["warnings"] == 0

    first = deadline_scan(now=start + timedelta(minutes=100))  # response clock yellow (96 min)
    assert first["warnings"] == 1
    request.refresh_from_db()
    assert request.light == Light.YELLOW

    again = deadline_scan(now=start + timedelta(minutes=101))
    assert again["warnings"] == 0  # running twice raises nothing twice

    late = deadline_scan(now=start + timedelta(hours=5))
    assert late["warnings"] == 2  # response red and resolution red (a late scan raises the current light)
    request.refresh_from_db()
    assert request.light == Light.RED and request.supervised
    assert DeadlineWarning.objects.filter(request=request).count() == 3
    assert deadline_scan(now=start + timedelta(hours=6))["warnings"] == 0
    keys = list(
        Notification.objects.filter(dedupe_key__startswith="warning:").values_list("dedupe_key", flat=True)
    )
    assert len(keys) == 3 == len(set(keys))


def test_signed_request_has_no_response_warning(hotline: Any) -> None:
    c = hotline.city
    request = services.request_create(actor=c.olivia, data=hotline.new(category=hotline.street_vending))
    services.request_sign(actor=hotline.dora, request=request)
    start = request.dispatched_at
    assert start is not None
    deadline_scan(now=start + timedelta(hours=3, minutes=30))
    clocks = set(DeadlineWarning.objects.filter(request=request).values_list("clock", flat=True))
    assert clocks == {"resolution"}


def test_replied_requests_are_not_scanned(hotline: Any) -> None:
    c = hotline.city
    request = services.request_create(actor=c.olivia, data=hotline.new(category=hotline.street_vending))
    services.request_sign(actor=hotline.dora, request=request)
    services.request_reply(actor=hotline.dora, request=request, reply="已劝离")
    request.refresh_from_db()
    assert request.next_check_at is None
    assert deadline_scan(now=timezone.now() + timedelta(days=3))["checked"] == 0


def test_a_merged_request_runs_no_clock(hotline: Any) -> None:
    c = hotline.city
    original = services.request_create(actor=c.olivia, data=hotline.new(category=hotline.street_vending))
    duplicate = services.request_create(actor=c.olivia, data=hotline.new(category=hotline.street_vending))
    merged = services.request_merge(actor=c.olivia, request=duplicate, into=original)
    assert merged.next_check_at is None and running_clocks(merged) == []
    warned = deadline_scan(now=timezone.now() + timedelta(days=3))
    assert not DeadlineWarning.objects.filter(request=duplicate).exists()
    assert warned["warnings"] == 2  # the original's two clocks, once each


def test_outbox_sends_each_message_once(hotline: Any) -> None:
    unit_member(hotline.sub_a_unit, "xu", phone="13800138000")  # reachable: told of new work
    services.request_create(actor=hotline.city.olivia, data=hotline.new())
    pending = Notification.objects.filter(state="pending").count()
    assert pending >= 1
    assert outbox_drain() == pending
    assert outbox_drain() == 0
    assert Notification.objects.filter(state="sent").count() == pending


def test_a_rolled_back_change_notifies_nobody(hotline: Any) -> None:
    from civicgrid.core.errors import ValidationError

    with pytest.raises(ValidationError):
        services.request_create(actor=hotline.city.olivia, data=hotline.new(title=""))
    assert not Notification.objects.exists()
    assert not Request.objects.exists()
