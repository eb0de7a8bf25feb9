"""The points demo: an adjustment keeps the sign its reason gives (a deduction is never turned
into a gain), and the demo's earnings bank no hours no volunteer activity backs."""

import random

import pytest

from civicgrid.points import demo, selectors
from civicgrid.points.constants import Source
from civicgrid.points.models import Adjustment, AdjustmentStatus, TimeBankEntry
from civicgrid.points.tests.conftest import PointsWorld, earn
from civicgrid.registry import services as registry
from civicgrid.registry.models import Resident

pytestmark = pytest.mark.django_db

TAKES_BACK = "扣回"  # the wording of a deduction's reason


def residents(pw: PointsWorld, n: int) -> list[Resident]:
    c = pw.city
    made = [registry.resident_create(actor=c.bob, node=c.grid_a1_1, name=f"演示居民{i}") for i in range(n)]
    return [pw.erin, pw.frank, *made]


def signs_follow_reasons() -> None:
    for a in Adjustment.objects.all():
        assert (a.amount < 0) == (TAKES_BACK in a.reason), (a.amount, a.reason)
        assert (a.amount, a.reason) in demo.ADJUSTMENTS


def test_the_demo_table_deducts_only_where_the_reason_takes_back() -> None:
    assert any(amount < 0 for amount, _ in demo.ADJUSTMENTS)
    for amount, reason in demo.ADJUSTMENTS:
        assert (amount < 0) == (TAKES_BACK in reason)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_deduction_nobody_can_cover_is_left_out_not_turned_into_a_gain(pw: PointsWorld, seed: int) -> None:
    people = residents(pw, 4)  # six residents, none holding a point
    demo._adjustments(random.Random(seed), pw.city.bob, pw.city.dave, people)
    signs_follow_reasons()
    assert Adjustment.objects.count() == len(demo.ADJUSTMENTS) - 1
    assert not Adjustment.objects.filter(amount__lt=0).exists()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_deduction_is_taken_from_someone_who_holds_enough(pw: PointsWorld, seed: int) -> None:
    people = residents(pw, 4)
    earn(pw, people[3], 30, "demo-covers")  # the one resident a deduction of 10 can come from
    demo._adjustments(random.Random(seed), pw.city.bob, pw.city.dave, people)
    signs_follow_reasons()
    deduction = Adjustment.objects.get(amount__lt=0)
    assert deduction.account.resident_id == people[3].pk and deduction.amount == -10
    assert Adjustment.objects.count() == len(demo.ADJUSTMENTS)
    decided = Adjustment.objects.exclude(status=AdjustmentStatus.PENDING).order_by("id")
    assert [a.status for a in decided] == [AdjustmentStatus.APPROVED, AdjustmentStatus.REJECTED]
    assert selectors.ledger_check().ok


def test_demo_earnings_bank_no_hours(pw: PointsWorld) -> None:
    c = pw.city
    people = demo._earnings(random.Random(7), c.bob, c.comm_a1, 7)
    earned = [p for p in people if selectors.balance(p) > 0]
    assert earned  # the demo did credit points for the hours it made up
    assert not TimeBankEntry.objects.filter(source=Source.DEMO).exists()
    assert all(selectors.time_bank_hours(p) == 0 for p in people)
