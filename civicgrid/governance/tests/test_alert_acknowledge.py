"""Who says "知悉" to a spike alert: those who act on it where it happens (the leader, the
community's workers, the units it was sent to), not everyone who may read it (the hotline's
operator acknowledged it before, and the units it was sent to then saw it as handled)."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.core.errors import PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.governance import services
from civicgrid.governance.models import AlertStatus, SpikeAlert
from civicgrid.governance.spikes import spike_scan
from civicgrid.requests.models import Request
from civicgrid.requests.tests.conftest import Hotline

pytestmark = pytest.mark.django_db

BURST = [("水管爆裂停水", "路边供水管爆裂，家里停水了"), ("突然停水", "外面水管爆了，家里没水")]


@pytest.fixture
def alert(hotline: Hotline, make: Callable[..., Request]) -> SpikeAlert:
    now = timezone.now()
    for i in range(6):
        make(*BURST[i % 2], at=now - timedelta(minutes=i + 1), category=hotline.water_outage)
    spike_scan(now=now)
    return SpikeAlert.objects.get()


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_hotline_operator_sees_the_alert_but_cannot_acknowledge_it(
    hotline: Hotline, alert: SpikeAlert
) -> None:
    olivia = hotline.city.olivia
    audits = AuditLog.objects.count()
    page = _client(olivia).get(reverse("governance:alerts")).content.decode()
    assert alert.category_label in page and "知悉</button>" not in page
    with pytest.raises(PermissionDenied):
        services.alert_acknowledge(actor=olivia, alert=alert, note="已知")
    response = _client(olivia).post(
        reverse("governance:alert_acknowledge", args=[alert.pk]), {"note": "已知"}
    )
    assert response.status_code == 403
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACTIVE and alert.acknowledged_by is None
    assert AuditLog.objects.count() == audits


def test_a_handler_of_a_unit_not_sent_the_alert_cannot_acknowledge_it(
    hotline: Hotline, alert: SpikeAlert
) -> None:
    assert not services.may_acknowledge(hotline.dora, alert)  # city management: not about water


@pytest.mark.parametrize("who", ["dave", "bob", "hank", "walt"])
def test_those_who_act_on_it_acknowledge_it(hotline: Hotline, alert: SpikeAlert, who: str) -> None:
    people = {
        "dave": hotline.city.dave,  # the district leader
        "bob": hotline.city.bob,  # community worker of the place
        "hank": hotline.hank,  # the subdistrict's unit, sent the alert
        "walt": hotline.walt,  # the water company, responsible for the category
    }
    actor = people[who]
    page = _client(actor).get(reverse("governance:alerts")).content.decode()
    assert "知悉</button>" in page
    response = _client(actor).post(
        reverse("governance:alert_acknowledge", args=[alert.pk]), {"note": "已通知抢修"}, follow=True
    )
    assert response.status_code == 200 and "已知悉" in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.acknowledged_by == actor
    assert AuditLog.objects.filter(verb="governance.alert_acknowledged", actor=actor).count() == 1


def test_a_note_longer_than_500_characters_is_refused_and_changes_nothing(
    hotline: Hotline, alert: SpikeAlert
) -> None:
    actor = hotline.city.dave
    audits = AuditLog.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.alert_acknowledge(actor=actor, alert=alert, note="说" * 501)
    assert refused.value.errors == {"note": ["处置说明最长500个字（现为501个字）"]}
    response = _client(actor).post(
        reverse("governance:alert_acknowledge", args=[alert.pk]), {"note": "说" * 501}, follow=True
    )
    assert "处置说明最长500个字（现为501个字）" in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACTIVE and alert.note == ""
    assert AuditLog.objects.count() == audits
    services.alert_acknowledge(actor=actor, alert=alert, note="  " + "说" * 500 + "  ")  # trimmed: fits
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED and len(alert.note) == 500
