"""The shop and the ledger under concurrent use (PostgreSQL, threads)."""

from decimal import Decimal

import pytest

from civicgrid.core.errors import Conflict
from civicgrid.core.models import AuditLog
from civicgrid.points import selectors, services
from civicgrid.points.constants import Verb
from civicgrid.points.models import Account, Goods, Movement, Redemption, RedemptionStatus
from civicgrid.points.tests.conftest import PointsWorld
from civicgrid.registry.models import Resident
from civicgrid.territory.tests.threads import postgres_only, run_at_once

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def residents_with_points(pw: PointsWorld, n: int, points: int) -> list[Resident]:
    grid = pw.city.grid_a1_1
    people = [
        Resident.objects.create(node=grid, node_path=grid.path, name=f"志愿者{i:02d}") for i in range(n)
    ]
    entries = [services.EarnEntry(holder=p, amount=points, source_ref=str(p.pk)) for p in people]
    services.points_earn_many(actor=pw.city.bob, entries=entries, source="test.seed", node=grid)
    return people


def test_fifty_redemptions_of_the_last_ten_items(pw: PointsWorld) -> None:
    people = residents_with_points(pw, 50, 100)
    last = services.goods_create(actor=pw.city.bob, node=pw.city.comm_a1, name="大米5kg", price=60, stock=10)
    results = run_at_once(
        *[(lambda p=p: services.points_redeem(actor=pw.city.bob, holder=p, goods=last)) for p in people],
        stagger=0,
    )
    won = [r for r in results if isinstance(r, Redemption)]
    lost = [r for r in results if isinstance(r, Exception)]
    assert len(won) == 10, results
    assert all(isinstance(e, Conflict) and e.message == "库存不足，兑换失败" for e in lost), lost
    assert Goods.objects.get(pk=last.pk).stock == 0
    assert Redemption.objects.filter(goods=last).count() == 10
    assert not Account.objects.filter(balance__lt=0).exists()
    balances = sorted(selectors.balance(p) for p in people)
    assert balances == [40] * 10 + [100] * 40
    assert AuditLog.objects.filter(verb=Verb.REDEEMED).count() == 10
    check = selectors.ledger_check()
    assert check.ok and check.total == 0, check


def test_one_holder_spending_at_once_never_goes_below_zero(pw: PointsWorld) -> None:
    (person,) = residents_with_points(pw, 1, 35)
    results = run_at_once(
        *[
            (lambda: services.points_redeem(actor=pw.city.bob, holder=person, goods=pw.soap))
            for _ in range(8)
        ],
        stagger=0,
    )
    assert len([r for r in results if isinstance(r, Redemption)]) == 3, results
    assert selectors.balance(person) == 5 and Goods.objects.get(pk=pw.soap.pk).stock == 2
    assert selectors.ledger_check().ok


def test_a_redemption_is_handed_over_only_once_at_once(pw: PointsWorld) -> None:
    (person,) = residents_with_points(pw, 1, 100)
    redemption = services.points_redeem(actor=pw.city.bob, holder=person, goods=pw.soap)
    results = run_at_once(
        *[(lambda: services.redemption_hand_over(actor=pw.city.bob, code=redemption.code)) for _ in range(6)],
        stagger=0,
    )
    done = [r for r in results if isinstance(r, Redemption)]
    assert len(done) == 1, results
    assert all(isinstance(r, Conflict) for r in results if r not in done)
    assert Movement.objects.filter(source_ref=f"{redemption.pk}:hand_over").count() == 1
    assert AuditLog.objects.filter(verb=Verb.HANDED_OVER).count() == 1
    assert selectors.ledger_check().ok


def test_hand_over_and_cancel_at_once_one_wins(pw: PointsWorld) -> None:
    (person,) = residents_with_points(pw, 1, 100)
    redemption = services.points_redeem(actor=pw.city.bob, holder=person, goods=pw.soap)
    hand, cancel = run_at_once(
        lambda: services.redemption_hand_over(actor=pw.city.bob, code=redemption.code),
        lambda: services.redemption_cancel(actor=pw.city.bob, redemption=redemption, reason="不要了"),
        stagger=0,
    )
    outcomes = [isinstance(hand, Redemption), isinstance(cancel, Redemption)]
    assert outcomes.count(True) == 1, (hand, cancel)
    final = Redemption.objects.get(pk=redemption.pk)
    if final.status == RedemptionStatus.HANDED_OVER:
        assert selectors.balance(person) == 90 and Goods.objects.get(pk=pw.soap.pk).stock == 4
    else:
        assert final.status == RedemptionStatus.CANCELLED
        assert selectors.balance(person) == 100 and Goods.objects.get(pk=pw.soap.pk).stock == 5
    assert selectors.ledger_check().ok


def test_the_same_award_at_once_credits_once(pw: PointsWorld) -> None:
    results = run_at_once(
        *[
            (
                lambda: services.points_award(
                    actor=None,
                    holder=pw.erin,
                    activity_type="culture",
                    hours=Decimal(2),
                    difficulty=2,
                    source="volunteers.signup",
                    source_ref="42",
                    node=pw.city.grid_a1_1,
                )
            )
            for _ in range(8)
        ],
        stagger=0,
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({r.pk for r in results}) == 1
    assert selectors.balance(pw.erin) == 25 and selectors.time_bank_hours(pw.erin) == 2
    assert Movement.objects.filter(source="volunteers.signup").count() == 1


def test_earning_spending_and_cancelling_together_keep_the_books(pw: PointsWorld) -> None:
    (person,) = residents_with_points(pw, 1, 20)
    first = services.points_redeem(actor=pw.city.bob, holder=person, goods=pw.soap)
    jobs = [
        lambda: services.points_earn(
            actor=pw.city.bob, holder=person, amount=15, source="t", source_ref="e1", node=pw.city.grid_a1_1
        ),
        lambda: services.points_redeem(actor=pw.city.bob, holder=person, goods=pw.soap),
        lambda: services.redemption_cancel(actor=pw.city.bob, redemption=first),
        lambda: services.points_earn(
            actor=pw.city.bob, holder=person, amount=5, source="t", source_ref="e2", node=pw.city.grid_a1_1
        ),
        lambda: services.points_redeem(actor=pw.city.bob, holder=person, goods=pw.soap),
    ]
    run_at_once(*jobs, stagger=0)
    check = selectors.ledger_check()
    assert check.ok, check
    reserved = Redemption.objects.filter(account__resident=person, status=RedemptionStatus.RESERVED).count()
    assert selectors.balance(person) == 20 + 15 + 5 - 10 * reserved


def test_the_same_earning_at_once_credits_once_and_answers_everyone(pw: PointsWorld) -> None:
    results = run_at_once(
        *[
            (
                lambda: services.points_earn(
                    actor=pw.city.bob,
                    holder=pw.erin,
                    amount=30,
                    source="points.manual",
                    source_ref="k-1",
                    node=pw.city.grid_a1_1,
                )
            )
            for _ in range(8)
        ],
        stagger=0,
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({r.pk for r in results}) == 1  # every caller gets the one movement
    assert selectors.balance(pw.erin) == 30
    assert Movement.objects.filter(source="points.manual", source_ref="k-1").count() == 1
    assert AuditLog.objects.filter(verb=Verb.EARNED).count() == 1
    assert selectors.ledger_check().ok


def test_overlapping_batches_at_once_credit_each_line_once(pw: PointsWorld) -> None:
    people = residents_with_points(pw, 12, 1)
    grid = pw.city.grid_a1_1

    def batch(first: int) -> list[Movement]:
        entries = [
            services.EarnEntry(holder=p, amount=10, source_ref=f"roll-{i}")
            for i, p in enumerate(people)
            if first <= i < first + 8
        ]
        return services.points_earn_many(actor=pw.city.bob, entries=entries, source="roll", node=grid)

    results = run_at_once(*[(lambda f=f: batch(f)) for f in (0, 2, 4, 0)], stagger=0)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(len(r) for r in results) == 12  # each of the 12 lines once, whoever wrote it
    assert Movement.objects.filter(source="roll").count() == 12
    assert [selectors.balance(p) for p in people] == [11] * 12
    assert selectors.ledger_check().ok
