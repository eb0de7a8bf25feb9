"""Earning, idempotence, the double entry and the append-only tables."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.points import selectors, services
from civicgrid.points.constants import Verb
from civicgrid.points.models import Account, AccountKind, Lot, Movement
from civicgrid.points.tests.conftest import PointsWorld, counts, earn

pytestmark = pytest.mark.django_db


def test_award_computes_points_by_rule_and_banks_hours(pw: PointsWorld) -> None:
    c = pw.city
    services.rule_save(
        actor=c.bob,
        node=c.comm_a1,
        activity_type="elderly_care",
        name="助老",
        base_points=5,
        points_per_hour=Decimal(10),
        difficulty_step=Decimal("0.5"),
    )
    movement = services.points_award(
        actor=c.bob,
        holder=pw.erin,
        activity_type="elderly_care",
        hours=Decimal("2.5"),
        difficulty=3,
        source="volunteers.signup",
        source_ref="1",
        node=c.grid_a1_1,
        team="red",
    )
    # (5 + 10 × 2.5) × (1 + 2 × 0.5) = 60
    assert movement is not None and movement.amount == 60
    assert movement.detail["rule_name"] == "助老" and movement.team == "red"
    assert selectors.balance(pw.erin) == 60
    assert selectors.time_bank_hours(pw.erin) == Decimal("2.50")
    assert AuditLog.objects.filter(verb=Verb.EARNED).count() == 1


def test_award_without_a_rule_uses_the_built_in_one(pw: PointsWorld) -> None:
    m = services.points_award(
        actor=None,
        holder=pw.erin,
        activity_type="culture",
        hours=Decimal(2),
        difficulty=1,
        source="volunteers.signup",
        source_ref="2",
        node=pw.city.grid_a1_1,
    )
    assert m is not None and m.amount == 20


def test_the_nearest_rule_wins_and_a_cap_applies(pw: PointsWorld) -> None:
    c = pw.city
    services.rule_save(actor=c.bob, node=c.comm_a1, activity_type="", name="社区默认", points_per_hour=5)
    services.rule_save(
        actor=c.bob, node=c.grid_a1_1, activity_type="safety", name="巡防", points_per_hour=40, max_points=50
    )
    safety = services.points_award(
        actor=c.bob,
        holder=pw.erin,
        activity_type="safety",
        hours=Decimal(3),
        difficulty=1,
        source="t",
        source_ref="s",
        node=c.grid_a1_1,
    )
    other = services.points_award(
        actor=c.bob,
        holder=pw.erin,
        activity_type="law",
        hours=Decimal(3),
        difficulty=1,
        source="t",
        source_ref="l",
        node=c.grid_a1_1,
    )
    assert safety is not None and safety.amount == 50
    assert other is not None and other.amount == 15


def test_award_and_earn_are_idempotent(pw: PointsWorld) -> None:
    kwargs = dict(
        actor=pw.city.bob,
        holder=pw.erin,
        activity_type="culture",
        hours=Decimal(1),
        difficulty=1,
        source="volunteers.signup",
        source_ref="7",
        node=pw.city.grid_a1_1,
    )
    first = services.points_award(**kwargs)  # type: ignore[arg-type]
    again = services.points_award(**kwargs)  # type: ignore[arg-type]
    assert first is not None and again is not None and first.pk == again.pk
    assert selectors.balance(pw.erin) == 10 and selectors.time_bank_hours(pw.erin) == 1
    m1 = earn(pw, pw.unit, 30, "u1")
    m2 = earn(pw, pw.unit, 30, "u1")
    assert m1.pk == m2.pk and selectors.balance(pw.unit) == 30
    assert Movement.objects.count() == 2


def test_zero_points_still_banks_hours(pw: PointsWorld) -> None:
    services.rule_save(
        actor=pw.city.bob, node=pw.city.comm_a1, activity_type="law", name="零分", points_per_hour=0
    )
    m = services.points_award(
        actor=None,
        holder=pw.erin,
        activity_type="law",
        hours=Decimal(2),
        difficulty=2,
        source="t",
        source_ref="z",
        node=pw.city.grid_a1_1,
    )
    assert m is None and selectors.time_bank_hours(pw.erin) == 2 and selectors.balance(pw.erin) == 0


@pytest.mark.parametrize(
    ("amount", "field"),
    [(-5, "amount"), (0, "amount"), ("abc", "amount"), (10**7, "amount"), (1.5, "amount")],
)
def test_bad_amounts_are_refused_in_chinese_and_change_nothing(
    pw: PointsWorld, amount: object, field: str
) -> None:
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.points_earn(
            actor=pw.city.bob,
            holder=pw.erin,
            amount=amount,  # type: ignore[arg-type]
            source="t",
            source_ref="x",
            node=pw.city.grid_a1_1,
        )
    assert field in exc.value.errors and "积分" in exc.value.message
    assert counts() == before


@pytest.mark.parametrize(
    ("hours", "difficulty", "field"),
    [(Decimal(-1), 1, "hours"), ("x", 1, "hours"), (1, 0, "difficulty"), (1, 6, "difficulty")],
)
def test_bad_award_inputs_are_refused(pw: PointsWorld, hours: object, difficulty: int, field: str) -> None:
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.points_award(
            actor=pw.city.bob,
            holder=pw.erin,
            activity_type="culture",
            hours=hours,  # type: ignore[arg-type]
            difficulty=difficulty,
            source="t",
            source_ref="x",
            node=pw.city.grid_a1_1,
        )
    assert field in exc.value.errors
    assert counts() == before


def test_a_moment_still_to_come_is_refused(pw: PointsWorld) -> None:
    """Points dated tomorrow would count in this month's figures before they were earned."""
    before = counts()
    tomorrow = timezone.now() + timedelta(days=1)
    bob, erin, grid = pw.city.bob, pw.erin, pw.city.grid_a1_1
    with pytest.raises(ValidationError) as exc:
        services.points_award(
            actor=bob,
            holder=erin,
            activity_type="culture",
            hours=Decimal(2),
            difficulty=1,
            source="t",
            source_ref="a",
            node=grid,
            at=tomorrow,
        )
    assert "at" in exc.value.errors
    with pytest.raises(ValidationError):
        services.points_earn(
            actor=bob, holder=erin, amount=10, source="t", source_ref="b", node=grid, at=tomorrow
        )
    with pytest.raises(ValidationError):
        services.points_earn_many(
            actor=pw.city.bob,
            entries=[services.EarnEntry(pw.erin, 10, "c")],
            source="t",
            node=pw.city.grid_a1_1,
            at=tomorrow,
        )
    assert counts() == before and not Account.objects.filter(resident=pw.erin).exists()


def test_an_outsider_cannot_award_in_another_community(pw: PointsWorld) -> None:
    before = counts()
    with pytest.raises(PermissionDenied):
        services.points_earn(
            actor=pw.city.carol, holder=pw.erin, amount=10, source="t", source_ref="o", node=pw.city.grid_a1_1
        )
    with pytest.raises(PermissionDenied):
        services.points_earn(  # a grid worker holds neither points nor volunteer management
            actor=pw.city.alice, holder=pw.erin, amount=10, source="t", source_ref="o", node=pw.city.grid_a1_1
        )
    assert counts() == before


def test_double_entry_sums_to_zero_and_balances_match(pw: PointsWorld) -> None:
    earn(pw, pw.erin, 50, "a")
    earn(pw, pw.frank, 30, "b")
    earn(pw, pw.unit, 200, "c")
    services.points_redeem(actor=pw.erin_user, holder=pw.erin, goods=pw.soap, quantity=2)
    check = selectors.ledger_check()
    assert check.ok and check.total == 0
    issuance = Account.objects.get(kind=AccountKind.ISSUANCE)
    assert issuance.node_id == pw.city.comm_a1.pk  # the community of the grid
    assert selectors.balance(pw.erin) == 30
    assert [
        selectors.signed_amount(m, Account.objects.get(resident=pw.erin))
        for m in selectors.movements(pw.erin)
    ] == [-20, 50]


def test_movements_cannot_be_changed_or_deleted(pw: PointsWorld) -> None:
    m = earn(pw, pw.erin, 50, "a")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Movement.objects.filter(pk=m.pk).update(amount=5000)
    if connection.vendor == "postgresql":
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute("DELETE FROM points_lot; DELETE FROM points_movement")
    assert Movement.objects.get(pk=m.pk).amount == 50


def test_a_holder_balance_cannot_go_negative_in_the_database(pw: PointsWorld) -> None:
    earn(pw, pw.erin, 5, "a")
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(resident=pw.erin).update(balance=-1)


def test_points_expire_by_lots_oldest_first(pw: PointsWorld) -> None:
    c = pw.city
    services.policy_set(actor=c.bob, node=c.comm_a1, expiry_days=30)
    now = timezone.now()
    services.points_earn(
        actor=c.bob,
        holder=pw.erin,
        amount=40,
        source="t",
        source_ref="old",
        node=c.grid_a1_1,
        at=now - timedelta(days=40),
    )
    services.points_earn(
        actor=c.bob,
        holder=pw.erin,
        amount=25,
        source="t",
        source_ref="mid",
        node=c.grid_a1_1,
        at=now - timedelta(days=20),
    )
    services.points_earn(
        actor=c.bob, holder=pw.erin, amount=7, source="t", source_ref="new", node=c.grid_a1_1
    )
    # Spending 45 takes the old lot (40) first, then 5 of the middle one.
    services.points_redeem(actor=pw.erin_user, holder=pw.erin, goods=pw.soap, quantity=4)
    assert list(Lot.objects.order_by("earned_at").values_list("remaining", flat=True)) == [0, 25, 7]
    # 15 days later the middle lot (earned 35 days ago) expires: only what is left of it.
    expired = services.points_expire_due(now + timedelta(days=15))
    assert expired == 25 and selectors.balance(pw.erin) == 7
    assert services.points_expire_due(now + timedelta(days=15)) == 0
    assert AuditLog.objects.filter(verb=Verb.EXPIRED).count() == 1
    assert selectors.ledger_check().ok


def test_leaderboard_per_community_and_team(pw: PointsWorld) -> None:
    c = pw.city
    services.points_earn(
        actor=c.bob, holder=pw.erin, amount=30, source="t", source_ref="1", node=c.grid_a1_1, team="red"
    )
    services.points_earn(
        actor=c.bob, holder=pw.frank, amount=50, source="t", source_ref="2", node=c.grid_a1_2, team="green"
    )
    services.points_earn(
        actor=c.bob, holder=pw.erin, amount=30, source="t", source_ref="3", node=c.grid_a1_2, team="red"
    )
    services.points_earn(
        actor=c.carol, holder=pw.gina, amount=99, source="t", source_ref="4", node=c.grid_b1_1
    )
    board = selectors.leaderboard(c.comm_a1, "month")
    assert [(r.name, r.points) for r in board] == [("张小燕", 60), ("李大方", 50)]
    assert board[0].masked_name == "张*燕"
    assert [r.name for r in selectors.leaderboard(c.comm_a1, "all", team="green")] == ["李大方"]
    assert selectors.leaderboard(c.district, "year")[0].name == "王通江"


def test_earn_many_credits_a_roll_once(pw: PointsWorld) -> None:
    c = pw.city
    entries = [
        services.EarnEntry(holder=pw.erin, amount=10, source_ref="1", team="red"),
        services.EarnEntry(holder=pw.frank, amount=20, source_ref="2"),
        services.EarnEntry(holder=pw.unit, amount=30, source_ref="3"),
        services.EarnEntry(holder=pw.erin, amount=5, source_ref="4"),
    ]
    made = services.points_earn_many(
        actor=c.bob, entries=entries, source="volunteers.activity:9", node=c.grid_a1_1
    )
    assert len(made) == 4
    again = services.points_earn_many(
        actor=c.bob, entries=entries, source="volunteers.activity:9", node=c.grid_a1_1
    )
    assert again == []
    assert (selectors.balance(pw.erin), selectors.balance(pw.frank), selectors.balance(pw.unit)) == (
        15,
        20,
        30,
    )
    assert Lot.objects.count() == 4 and AuditLog.objects.filter(verb=Verb.EARNED_BATCH).count() == 2
    assert selectors.ledger_check().ok
    before = counts()
    with pytest.raises(ValidationError):
        services.points_earn_many(
            actor=c.bob,
            entries=[services.EarnEntry(holder=pw.erin, amount=1, source_ref="x")] * 2,
            source="s",
            node=c.grid_a1_1,
        )
    with pytest.raises(ValidationError):
        services.points_earn_many(
            actor=c.bob,
            entries=[services.EarnEntry(holder=pw.erin, amount=-1, source_ref="y")],
            source="s",
            node=c.grid_a1_1,
        )
    with pytest.raises(PermissionDenied):
        services.points_earn_many(actor=c.carol, entries=entries, source="other", node=c.grid_a1_1)
    assert counts() == before


def test_system_accounts_are_per_community(pw: PointsWorld) -> None:
    c = pw.city
    earn(pw, pw.erin, 5, "a")  # at grid A1-1
    services.points_earn(actor=c.bob, holder=pw.frank, amount=5, source="t", source_ref="b", node=c.comm_a1)
    services.points_earn(
        actor=c.carol, holder=pw.gina, amount=5, source="t", source_ref="c", node=c.grid_b1_1
    )
    issuance = Account.objects.filter(kind=AccountKind.ISSUANCE)
    assert sorted(issuance.values_list("node_id", flat=True)) == sorted([c.comm_a1.pk, c.comm_b1.pk])


def test_a_source_ref_of_someone_else_is_refused(pw: PointsWorld) -> None:
    earn(pw, pw.erin, 10, "same")
    before = counts()
    with pytest.raises(Conflict, match="来源编号已用于其他人"):
        earn(pw, pw.frank, 10, "same")
    assert counts() == before


def test_hours_banked_without_points_are_audited(pw: PointsWorld) -> None:
    services.rule_save(
        actor=pw.city.bob, node=pw.city.comm_a1, activity_type="law", name="零分", points_per_hour=0
    )
    services.points_award(
        actor=None,
        holder=pw.erin,
        activity_type="law",
        hours=Decimal(1),
        difficulty=1,
        source="t",
        source_ref="h",
        node=pw.city.grid_a1_1,
    )
    assert AuditLog.objects.filter(verb=Verb.HOURS_BANKED).count() == 1
