"""The demo of grid work on the small demo city: every page has something to show, and one
seed gives the same month (the small city is built once for the module and rolled back)."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from civicgrid.demo.builder import build
from civicgrid.gridwork.demo import seed_demo
from civicgrid.gridwork.models import (
    Campaign,
    CampaignItem,
    CarePlan,
    CareWarning,
    Finding,
    Patrol,
    Proposal,
    Visit,
)
from civicgrid.territory.locator import locator


def quiet(_: str) -> None:
    pass


@pytest.fixture(scope="module")
def city(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            build("small", seed=1, out=quiet)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            locator.invalidate()


def digest() -> list[Any]:
    """What the demo made, without ids or clock times."""
    return [
        sorted(Patrol.objects.values_list("worker__username", "day", "places", "people_met", "point_count")),
        sorted(Finding.objects.values_list("worker__username", "day", "category", "description", "outcome")),
        sorted(CarePlan.objects.values_list("resident__name", "interval_days", "visit_count", "next_due_on")),
        sorted(CampaignItem.objects.values_list("label", "state")),
        sorted(Proposal.objects.values_list("kind", "state", "summary")),
    ]


def run_once(seed: int) -> list[Any]:
    with transaction.atomic():
        lines: list[str] = []
        seed_demo(seed=seed, out=lines.append)
        made = digest()
        counts = (Patrol.objects.count(), Visit.objects.count(), CareWarning.objects.count())
        again: list[str] = []
        seed_demo(seed=seed, out=again.append)
        assert again == ["网格工作演示数据已存在，跳过"]
        transaction.set_rollback(True)
    return [lines, made, counts]


@pytest.mark.django_db
def test_the_demo_month_is_full_and_the_same_for_one_seed(city: None) -> None:
    lines, made, (patrols, visits, warnings) = run_once(1)
    assert patrols >= 40 and visits >= 10 and warnings >= 1
    assert made[1] and {row[4] for row in made[1]} == {"recorded", "fixed", "reported"}
    assert made[2] and made[3] and {row[1] for row in made[4]} == {"pending", "approved", "rejected"}
    assert any("gridworker" in line for line in lines)
    assert run_once(1)[1] == made
    assert not Campaign.objects.exists()  # rolled back
