"""Spikes: a sudden rise of one category in one place raises one alert, at once, once."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.core.errors import Conflict, NotFound
from civicgrid.core.models import AuditLog
from civicgrid.governance import selectors, services
from civicgrid.governance.models import AlertStatus, SpikeAlert
from civicgrid.governance.spikes import Rule, evaluate, poisson_tail, spike_scan
from civicgrid.notify.models import Notification
from civicgrid.requests.models import Request
from civicgrid.requests.tests.conftest import Hotline

pytestmark = pytest.mark.django_db

BURST = [("水管爆裂停水", "路边供水管爆裂，家里停水了"), ("突然停水", "外面水管爆了，家里没水")]


def test_poisson_tail() -> None:
    assert poisson_tail(0, 1.0) == 1.0
    assert poisson_tail(1, 1.0) == pytest.approx(1 - 0.36787944, rel=1e-6)
    assert poisson_tail(5, 0.2) == pytest.approx(2.2582e-6, rel=1e-3)
    assert 0 < poisson_tail(40, 0.5) < 1e-40  # no cancellation to zero


def test_burst_in_one_grid_raises_one_alert_within_minutes(
    hotline: Hotline, make: Callable[..., Request]
) -> None:
    now = timezone.now()
    for i in range(8):
        make(*BURST[i % 2], at=now - timedelta(minutes=12 - i), grid="a1_1", category=hotline.water_outage)
    first = spike_scan(now=now)
    assert first == {"raised": 1, "updated": 0, "ended": 0}
    alert = SpikeAlert.objects.get()
    assert alert.node == hotline.city.comm_a1
    assert alert.category_prefix == "0301"
    assert alert.observed == 8 and alert.p_value < 1e-4
    assert alert.raised_at - alert.first_request_at < timedelta(minutes=15)
    notified = Notification.objects.filter(target_type="governance.spikealert").count()
    assert notified == 2  # the subdistrict of the place and the water company
    # Idempotent: the next tick (and a repeat of the same tick) raises nothing new.
    assert spike_scan(now=now)["raised"] == 0
    assert spike_scan(now=now + timedelta(minutes=1))["raised"] == 0
    assert SpikeAlert.objects.count() == 1
    assert Notification.objects.filter(target_type="governance.spikealert").count() == notified
    assert AuditLog.objects.filter(verb="governance.spike_raised").count() == 1
    # Quiet for three hours: the alert ends.
    assert spike_scan(now=now + timedelta(hours=4))["ended"] == 1
    assert SpikeAlert.objects.get().status == AlertStatus.ENDED


def test_steady_background_raises_nothing(hotline: Hotline, make: Callable[..., Request]) -> None:
    now = timezone.now()
    for week in range(1, 9):  # the same hour of the week: two water requests each week
        for k in range(2):
            make(
                *BURST[k], at=now - timedelta(weeks=week, minutes=20 + 10 * k), category=hotline.water_outage
            )
    for k in range(2):
        make(*BURST[k], at=now - timedelta(minutes=5 + 10 * k), category=hotline.water_outage)
    assert spike_scan(now=now)["raised"] == 0
    assert SpikeAlert.objects.count() == 0


def test_busy_place_needs_a_bigger_rise(hotline: Hotline, make: Callable[..., Request]) -> None:
    """Six requests in an hour alert where the hour usually sees none, not where it sees five."""
    now = timezone.now()
    for week in range(1, 9):
        for k in range(5):
            make(
                *BURST[k % 2],
                at=now - timedelta(weeks=week, minutes=5 + 10 * k),
                category=hotline.water_outage,
            )
    for k in range(6):
        make(*BURST[k % 2], at=now - timedelta(minutes=3 + 5 * k), category=hotline.water_outage)
    findings = evaluate(now, Rule())
    assert len(findings) == 1 and not findings[0].fires
    assert findings[0].expected == pytest.approx(5.0)


def test_outsider_cannot_see_or_acknowledge(hotline: Hotline, make: Callable[..., Request]) -> None:
    city = hotline.city
    now = timezone.now()
    for i in range(6):
        make(*BURST[i % 2], at=now - timedelta(minutes=i + 1), category=hotline.water_outage)
    spike_scan(now=now)
    alert = SpikeAlert.objects.get()
    assert not selectors.alerts_visible(city.carol).exists()
    with pytest.raises(NotFound):
        selectors.alert_get(city.carol, alert.pk)
    acked = services.alert_acknowledge(actor=city.bob, alert=alert, note="已通知水务抢修")
    assert acked.status == AlertStatus.ACKNOWLEDGED
    with pytest.raises(Conflict):
        services.alert_acknowledge(actor=city.bob, alert=alert)
    # Still the same episode: the next tick updates it, raises nothing.
    assert spike_scan(now=now + timedelta(minutes=1))["raised"] == 0
