"""Two ticks at once raise one alert; two leaders deciding one proposal at once: one wins."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from civicgrid.core.errors import Conflict
from civicgrid.governance import services, spikes
from civicgrid.governance.models import GovernanceTask, SeasonalProposal, SpikeAlert
from civicgrid.governance.seasonal import ProposalRule, proposals_generate
from civicgrid.governance.tests.test_seasonal import TODAY, at
from civicgrid.notify.models import Notification
from civicgrid.requests.models import Request
from civicgrid.requests.tests.conftest import Hotline
from civicgrid.territory.tests.threads import postgres_only, run_at_once, slow_audit

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_two_ticks_at_once_raise_one_alert(
    hotline: Hotline, make: Callable[..., Request], monkeypatch: Any
) -> None:
    now = timezone.now()
    for i in range(7):
        make("水管爆裂停水", "外面水管爆了", at=now - timedelta(minutes=i + 1), category=hotline.water_outage)
    slow_audit(monkeypatch, spikes)
    results = run_at_once(lambda: spikes.spike_scan(now=now), lambda: spikes.spike_scan(now=now))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r["raised"] for r in results) == [0, 1]
    assert SpikeAlert.objects.count() == 1
    assert Notification.objects.filter(target_type="governance.spikealert").count() == 2


def test_two_leaders_decide_one_proposal(
    hotline: Hotline, make: Callable[..., Request], monkeypatch: Any
) -> None:
    for year in (2024, 2025):
        for k in range(4):
            make("暖气不热", "室温只有十四度", at=at(date(year, 12, 3 + 5 * k)), category=hotline.noise)
    (proposal,) = proposals_generate(today=TODAY, rule=ProposalRule(lead_days=60))
    slow_audit(monkeypatch, services)
    dave = hotline.city.dave
    results = run_at_once(
        lambda: services.proposal_accept(actor=dave, proposal=proposal, unit=hotline.sub_a_unit),
        lambda: services.proposal_dismiss(actor=dave, proposal=proposal),
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert SeasonalProposal.objects.get().status in ("accepted", "dismissed")
    assert GovernanceTask.objects.count() == (1 if SeasonalProposal.objects.get().status == "accepted" else 0)


def test_two_leaders_make_the_same_topic_at_once(hotline: Hotline, monkeypatch: Any) -> None:
    """The place's row lock: the second waits for the first and then finds its topic."""
    from civicgrid.core.errors import ValidationError
    from civicgrid.governance.models import Topic
    from civicgrid.requests.rates.cells import current_month

    city = hotline.city

    def make_topic() -> Topic:
        data = services.TopicData(
            title="电梯故障专项治理",
            month=current_month(),
            leading_official=city.dave,
            lead_unit=hotline.zhujian,
            node=city.comm_a1,
        )
        return services.topic_create(actor=city.dave, data=data)

    slow_audit(monkeypatch, services)
    results = run_at_once(make_topic, make_topic)
    assert sum(isinstance(r, Topic) for r in results) == 1, results
    assert sum(isinstance(r, ValidationError) and r.code == "duplicate" for r in results) == 1, results
    assert Topic.objects.count() == 1
