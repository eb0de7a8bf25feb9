"""The points shop: redeem, hand over once, cancel, expired codes, limits, outsiders."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.points import selectors, services
from civicgrid.points.constants import Verb
from civicgrid.points.models import Goods, Lot, Redemption, RedemptionEvent, RedemptionStatus, StockEntry
from civicgrid.points.tests.conftest import PointsWorld, counts, earn

pytestmark = pytest.mark.django_db


def test_redeem_reserves_stock_and_points_and_issues_a_code(pw: PointsWorld) -> None:
    earn(pw, pw.erin, 50, "a")
    r = services.points_redeem(actor=pw.erin_user, holder=pw.erin, goods=pw.soap, quantity=2)
    assert r.status == RedemptionStatus.RESERVED and r.points == 20 and len(r.code) == 8
    assert r.code_expires_at > timezone.now() + timedelta(days=6)
    assert selectors.balance(pw.erin) == 30
    assert Goods.objects.get(pk=pw.soap.pk).stock == 3
    assert StockEntry.objects.filter(goods=pw.soap, delta=-2).exists()
    assert AuditLog.objects.filter(verb=Verb.REDEEMED, target_id=str(r.pk)).exists()
    assert selectors.ledger_check().ok


def test_hand_over_once_only(pw: PointsWorld) -> None:
    earn(pw, pw.erin, 50, "a")
    r = services.points_redeem(actor=pw.erin_user, holder=pw.erin, goods=pw.soap)
    done = services.redemption_hand_over(actor=pw.city.bob, code=f" {r.code[:4].lower()}-{r.code[4:]} ")
    assert done.status == RedemptionStatus.HANDED_OVER
    before = counts()
    with pytest.raises(Conflict) as exc:
        services.redemption_hand_over(actor=pw.city.bob, code=r.code)
    assert exc.value.message == "该取货码已使用，商品已领取"
    assert counts() == before
    with pytest.raises(Conflict):
        services.redemption_cancel(actor=pw.city.bob, redemption=r)
    assert selectors.balance(pw.erin) == 40 and selectors.ledger_check().ok
    assert list(RedemptionEvent.objects.filter(redemption=r).values_list("to_status", flat=True)) == [
        "reserved",
        "handed_over",
    ]


def test_cancel_returns_stock_and_points_to_the_same_lots(pw: PointsWorld) -> None:
    earn(pw, pw.erin, 15, "a")
    earn(pw, pw.erin, 15, "b")
    r = services.points_redeem(actor=pw.erin_user, holder=pw.erin, goods=pw.soap, quantity=2)
    assert list(Lot.objects.order_by("id").values_list("remaining", flat=True)) == [0, 10]
    services.redemption_cancel(actor=pw.erin_user, redemption=r, reason="不需要了")
    assert list(Lot.objects.order_by("id").values_list("remaining", flat=True)) == [15, 15]
    assert selectors.balance(pw.erin) == 30 and Goods.objects.get(pk=pw.soap.pk).stock == 5
    assert Redemption.objects.get(pk=r.pk).status == RedemptionStatus.CANCELLED
    assert AuditLog.objects.filter(verb=Verb.REDEMPTION_CANCELLED).count() == 1
    assert selectors.ledger_check().ok


def test_an_expired_code_is_refused_and_changes_nothing(pw: PointsWorld) -> None:
    earn(pw, pw.erin, 50, "a")
    r = services.points_redeem(actor=pw.erin_user, holder=pw.erin, goods=pw.soap)
    Redemption.objects.filter(pk=r.pk).update(code_expires_at=timezone.now() - timedelta(minutes=1))
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.redemption_hand_over(actor=pw.city.bob, code=r.code)
    assert exc.value.message == "取货码已过期，请重新兑换" and exc.value.code == "code_expired"
    assert counts() == before
    assert services.redemptions_expire_due() == 1
    assert Redemption.objects.get(pk=r.pk).status == RedemptionStatus.EXPIRED
    assert selectors.balance(pw.erin) == 50 and Goods.objects.get(pk=pw.soap.pk).stock == 5


def test_unknown_goods_and_unknown_codes_are_refused(pw: PointsWorld) -> None:
    earn(pw, pw.erin, 50, "a")
    before = counts()
    with pytest.raises(NotFound) as exc:
        services.points_redeem(actor=pw.erin_user, holder=pw.erin, goods=999_999)
    assert exc.value.message == "商品不存在"
    with pytest.raises(NotFound) as exc2:
        services.redemption_hand_over(actor=pw.city.bob, code="ZZZZ9999")
    assert exc2.value.message == "取货码无效，请核对后重试"
    with pytest.raises(ValidationError):
        services.redemption_hand_over(actor=pw.city.bob, code="  ")
    with pytest.raises(ValidationError):
        services.points_redeem(actor=pw.erin_user, holder=pw.erin, goods=pw.soap, quantity=-1)
    assert counts() == before


def test_not_enough_points_or_stock(pw: PointsWorld) -> None:
    earn(pw, pw.erin, 15, "a")
    before = counts()
    with pytest.raises(Conflict) as exc:
        services.points_redeem(actor=pw.erin_user, holder=pw.erin, goods=pw.soap, quantity=2)
    assert exc.value.message == "积分不足：需要20分，当前15分"
    earn(pw, pw.frank, 1000, "b")
    with pytest.raises(Conflict) as exc2:
        services.points_redeem(actor=pw.city.bob, holder=pw.frank, goods=pw.soap, quantity=6)
    assert exc2.value.message == "库存不足，兑换失败"
    assert counts()["redemptions"] == before["redemptions"] and counts()["stock"] == before["stock"]


def test_per_person_limit_and_goods_off_sale(pw: PointsWorld) -> None:
    earn(pw, pw.erin, 100, "a")
    services.goods_update(actor=pw.city.bob, goods=pw.soap, per_person_limit=1)
    services.points_redeem(actor=pw.erin_user, holder=pw.erin, goods=pw.soap)
    with pytest.raises(ValidationError, match="每人限兑1件"):
        services.points_redeem(actor=pw.erin_user, holder=pw.erin, goods=pw.soap)
    services.goods_update(actor=pw.city.bob, goods=pw.soap, is_active=False)
    with pytest.raises(ValidationError, match="下架"):
        services.points_redeem(actor=pw.city.bob, holder=pw.frank, goods=pw.soap)


def test_a_per_person_limit_beyond_any_stock_is_refused(pw: PointsWorld) -> None:
    """It was checked only for "not negative": 10**10 was stored by SQLite and refused by
    PostgreSQL's integer column with a server error."""
    before = counts()
    with pytest.raises(ValidationError) as created:
        services.goods_create(
            actor=pw.city.bob, node=pw.city.comm_a1, name="食用油", price=5, per_person_limit=10**10
        )
    assert created.value.errors == {"per_person_limit": ["每人限兑应为0到100000之间的整数"]}
    with pytest.raises(ValidationError) as updated:
        services.goods_update(actor=pw.city.bob, goods=pw.soap, per_person_limit=10**10)
    assert updated.value.errors == {"per_person_limit": ["每人限兑应为0到100000之间的整数"]}
    pw.soap.refresh_from_db()
    assert pw.soap.per_person_limit == 0 and counts() == before


def test_a_unit_redeems_with_its_alliance_points(pw: PointsWorld) -> None:
    earn(pw, pw.unit, 100, "u")
    r = services.points_redeem(actor=pw.city.bob, holder=pw.unit, goods=pw.soap, quantity=3)
    assert r.points == 30 and selectors.balance(pw.unit) == 70


def test_outsiders_change_nothing(pw: PointsWorld) -> None:
    earn(pw, pw.erin, 50, "a")
    r = services.points_redeem(actor=pw.erin_user, holder=pw.erin, goods=pw.soap)
    before = counts()
    # carol works in another community: A1's codes are unknown to her.
    with pytest.raises(NotFound):
        services.redemption_hand_over(actor=pw.city.carol, code=r.code)
    with pytest.raises(PermissionDenied):
        services.redemption_cancel(actor=pw.city.carol, redemption=r)
    with pytest.raises(PermissionDenied):
        services.goods_restock(actor=pw.city.carol, goods=pw.soap, quantity=10)
    with pytest.raises(PermissionDenied):
        services.goods_create(actor=pw.city.carol, node=pw.city.comm_a1, name="x", price=1)
    # gina (a resident of B1) can neither redeem for erin nor cancel erin's redemption.
    with pytest.raises(PermissionDenied):
        services.points_redeem(actor=pw.gina_user, holder=pw.erin, goods=pw.soap)
    with pytest.raises(PermissionDenied):
        services.redemption_cancel(actor=pw.gina_user, redemption=r)
    # nor shop in A1's shop for herself
    earn_b = services.points_earn(
        actor=pw.city.carol, holder=pw.gina, amount=50, source="t", source_ref="g", node=pw.city.grid_b1_1
    )
    assert earn_b.amount == 50
    before = counts()
    with pytest.raises(ValidationError, match="仅面向本社区"):
        services.points_redeem(actor=pw.gina_user, holder=pw.gina, goods=pw.soap)
    # a grid worker is no shopkeeper
    with pytest.raises(PermissionDenied):
        services.redemption_hand_over(actor=pw.city.alice, code=r.code)
    assert counts() == before


def test_the_daily_tick_releases_and_expires(pw: PointsWorld) -> None:
    from io import StringIO

    from django.core.management import call_command

    earn(pw, pw.erin, 50, "a")
    r = services.points_redeem(actor=pw.erin_user, holder=pw.erin, goods=pw.soap)
    Redemption.objects.filter(pk=r.pk).update(code_expires_at=timezone.now() - timedelta(minutes=1))
    out = StringIO()
    call_command("points_tick", stdout=out)
    assert out.getvalue().strip() == "退回过期兑换 1 笔，过期积分 0 分"
    assert selectors.balance(pw.erin) == 50
