"""Solve before asked: recurring seasonal problems proposed ahead; governance-priority subdistricts."""

from collections.abc import Callable
from datetime import date, datetime, time

import pytest
from django.utils import timezone

from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.governance import selectors, services
from civicgrid.governance.models import ProposalStatus, Season, SeasonalProposal
from civicgrid.governance.seasonal import ProposalRule, priority_subdistricts, proposals_generate, upcoming
from civicgrid.requests.models import Request
from civicgrid.requests.tests.conftest import Hotline

pytestmark = pytest.mark.django_db

TODAY = date(2026, 9, 15)


def at(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def winters(hotline: Hotline, make: Callable[..., Request]) -> None:
    """Heating complaints (filed under noise here) in A1 in the last two winters, one in summer;
    water outages in B1 spread over the year (recurring, but not seasonal)."""
    for year in (2024, 2025):
        for k in range(4):
            make("暖气不热", "室温只有十四度", at=at(date(year, 12, 3 + 5 * k)), category=hotline.noise)
    make("暖气漏水", "暖气管漏水", at=at(date(2025, 7, 1)), category=hotline.noise)
    for month in range(1, 13):
        for k in range(2):
            make(
                "停水",
                "家里停水",
                at=at(date(2025, month, 3 + k)),
                grid="b1_1",
                category=hotline.water_outage,
            )


def test_upcoming_seasons() -> None:
    assert upcoming(date(2026, 9, 15), 60) == [(Season.WINTER, date(2026, 11, 1))]
    assert upcoming(date(2026, 11, 2), 60) == []


def test_recurring_seasonal_problem_is_proposed_once(hotline: Hotline, winters: None) -> None:
    made = proposals_generate(today=TODAY, rule=ProposalRule(lead_days=60))
    assert len(made) == 1
    p = made[0]
    assert p.node == hotline.city.comm_a1 and p.season == Season.WINTER
    assert p.season_start == date(2026, 11, 1)
    assert p.evidence == {"2024": 4, "2025": 4}
    assert p.category == hotline.noise
    assert proposals_generate(today=TODAY, rule=ProposalRule(lead_days=60)) == []
    assert SeasonalProposal.objects.count() == 1
    # Too early: the season is more than 60 days away.
    assert proposals_generate(today=date(2026, 7, 1), rule=ProposalRule(lead_days=60)) == []


def test_leader_accepts_a_proposal_as_a_task(
    hotline: Hotline, winters: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timezone, "now", lambda: at(TODAY))  # decided the day it was proposed
    city = hotline.city
    (p,) = proposals_generate(today=TODAY, rule=ProposalRule(lead_days=60))
    with pytest.raises(PermissionDenied):
        services.proposal_accept(actor=city.carol, proposal=p, unit=hotline.sub_a_unit)
    with pytest.raises(ValidationError):
        services.proposal_accept(actor=city.dave, proposal=p, unit=None)
    assert SeasonalProposal.objects.get().status == ProposalStatus.PROPOSED
    task = services.proposal_accept(actor=city.dave, proposal=p, unit=hotline.sub_a_unit)
    assert task.deadline == date(2026, 10, 25)  # a week before the season
    assert task.node == city.comm_a1 and task.topic is None
    assert SeasonalProposal.objects.get().task == task
    assert AuditLog.objects.filter(verb="governance.proposal_accepted").count() == 1
    with pytest.raises(Conflict):
        services.proposal_dismiss(actor=city.dave, proposal=p)
    assert not selectors.proposals_visible(city.carol).exists()


def test_priority_subdistricts(hotline: Hotline, make: Callable[..., Request]) -> None:
    from civicgrid.registry.models import Resident

    city = hotline.city
    month = date(2025, 6, 1)
    for i in range(6):
        make("停水", "家里停水", at=at(date(2025, 6, 2 + i)), category=hotline.water_outage)
    make("停水", "家里停水", at=at(date(2025, 6, 3)), grid="b1_1", category=hotline.water_outage)
    for node, n in ((city.grid_a1_1, 20), (city.grid_b1_1, 20)):
        Resident.objects.bulk_create(
            [Resident(node=node, node_path=node.path, name=f"居民{k}") for k in range(n)]
        )
    report = priority_subdistricts(city.dave, month)
    rows = {r.node.pk: r for r in report.rows}
    a, b = rows[city.sub_a.pk], rows[city.sub_b.pk]
    assert (a.counts.received, a.residents, b.counts.received) == (6, 20, 1)
    assert float(a.per_10k or 0) == pytest.approx(3000.0)
    assert "每万人诉求量高" in a.reasons and "每万人诉求量高" not in b.reasons
    outsider = priority_subdistricts(city.carol, month)
    assert [r.node.pk for r in outsider.rows] == []
