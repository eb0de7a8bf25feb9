"""An outside tester's findings: hours that disagreed between pages, double submits that wrote
twice, restocking past the stock cap, a blank quantity read as 1."""

import random
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum
from django.test import Client

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role
from civicgrid.conftest import make_user
from civicgrid.core import once
from civicgrid.core.errors import ValidationError
from civicgrid.points import demo, selectors, services
from civicgrid.points.checks import MAX_STOCK
from civicgrid.points.constants import Source
from civicgrid.points.models import (
    Account,
    ActivityType,
    Adjustment,
    AdjustmentStatus,
    Goods,
    Movement,
    MovementKind,
    Redemption,
    StockEntry,
    TimeBankEntry,
)
from civicgrid.points.tests.conftest import PointsWorld, earn

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="once_token" value="([0-9a-f]{32})"')


def text(response: Any) -> str:
    return response.content.decode()


# ---------------------------------------------------------------------------------------------
# 1. One truth of hours: the time bank


def award(pw: PointsWorld, holder: Any, ref: str, hours: str, *, bank: bool = True, kind: str = "") -> Any:
    return services.points_award(
        actor=pw.city.bob,
        holder=holder,
        activity_type=kind,
        hours=Decimal(hours),
        difficulty=1,
        source="test.hours",
        source_ref=ref,
        node=pw.city.grid_a1_1,
        team="红色互助志愿服务队",
        bank_hours=bank,
    )


@pytest.fixture
def hours_world(pw: PointsWorld) -> PointsWorld:
    """erin: 2.5 h banked with points, 4 h that only fed a rule (not banked), 1.25 h banked by
    a rule worth 0 points (no movement); frank: 3 h banked."""
    services.rule_save(
        actor=pw.city.bob,
        node=pw.city.comm_a1,
        activity_type=ActivityType.OTHER,
        name="只记时长",
        base_points=0,
        points_per_hour=0,
    )
    award(pw, pw.erin, "e1", "2.5")
    award(pw, pw.erin, "e2", "4", bank=False)
    assert award(pw, pw.erin, "e3", "1.25", kind=ActivityType.OTHER) is None
    award(pw, pw.frank, "f1", "3")
    return pw


def recount(holder: Any) -> Decimal:
    """The time bank of a holder, counted from the raw rows."""
    account = selectors.account_for(holder)
    return Decimal(TimeBankEntry.objects.filter(account=account).aggregate(s=Sum("hours"))["s"] or 0)


def test_hours_not_banked_are_not_written_on_the_movement(hours_world: PointsWorld) -> None:
    unbanked = Movement.objects.get(source="test.hours", source_ref="e2")
    assert unbanked.amount > 0 and unbanked.hours == 0
    assert not TimeBankEntry.objects.filter(source_ref="e2").exists()
    # Every hour on a movement is an hour its cause banked.
    for m in Movement.objects.filter(kind=MovementKind.EARN, hours__gt=0):
        entry = TimeBankEntry.objects.get(source=m.source, source_ref=m.source_ref)
        assert entry.hours == m.hours and entry.account_id == m.to_account_id


@pytest.mark.parametrize("period", ["month", "all"])
def test_the_leaderboard_hours_are_the_time_bank(hours_world: PointsWorld, period: str) -> None:
    pw = hours_world
    rows = {r.account_id: r for r in selectors.leaderboard(pw.city.comm_a1, period)}
    for holder in (pw.erin, pw.frank):
        account = selectors.account_for(holder)
        assert account is not None
        assert rows[account.pk].hours == recount(holder) == account.hours == selectors.time_bank_hours(holder)
    assert [r.hours for r in rows.values()] == [Decimal("3.75"), Decimal(3)]  # 6.5 and 7.75 before
    assert sum(r.hours for r in rows.values()) == TimeBankEntry.objects.aggregate(s=Sum("hours"))["s"]


def test_a_team_board_counts_the_hours_its_earnings_banked(hours_world: PointsWorld) -> None:
    """A rule worth 0 points banks hours with no movement, so with no team: they are on the
    card and the board without a team, not on a team's board."""
    pw = hours_world
    rows = selectors.leaderboard(pw.city.comm_a1, "all", "红色互助志愿服务队")
    assert [(r.name, r.hours) for r in rows] == [("张小燕", Decimal("2.5")), ("李大方", Decimal(3))]
    for r in rows:
        movements = Movement.objects.filter(to_account_id=r.account_id, team="红色互助志愿服务队")
        assert r.hours == movements.aggregate(s=Sum("hours"))["s"]


def test_another_teams_board_counts_none_of_these_hours(hours_world: PointsWorld) -> None:
    assert selectors.leaderboard(hours_world.city.comm_a1, "all", "绿色环保志愿服务队") == []


def test_the_home_figure_of_hours_has_one_decimal(hours_world: PointsWorld) -> None:
    from civicgrid.points.figures import home_figures

    figures = {str(f.label): f.value for f in home_figures(hours_world.erin_user)}
    assert figures["时间银行（小时）"] == "3.8"


def test_the_demo_board_adds_up_to_the_time_bank(pw: PointsWorld) -> None:
    c = pw.city
    demo._earnings(random.Random(3), c.bob, c.comm_a1, 3)
    award(pw, pw.erin, "banked", "8.5")  # hours a volunteer activity backs
    rows = selectors.leaderboard(c.comm_a1, "all", limit=1000)
    assert len(rows) == 2  # erin and frank, the residents of A1
    bank = TimeBankEntry.objects.aggregate(s=Sum("hours"))["s"]
    assert sum(r.hours for r in rows) == bank == Decimal("8.5")
    assert not Movement.objects.filter(source=Source.DEMO, hours__gt=0).exists()


# ---------------------------------------------------------------------------------------------
# 2. Double submits write once


def test_a_repeated_adjustment_form_asks_once(pw: PointsWorld, client: Client) -> None:
    account = Account.objects.get(pk=earn(pw, pw.erin, 10, "a").to_account_id)
    client.force_login(pw.city.bob)
    page = text(client.get(f"/points/accounts/{account.pk}/"))
    tokens = TOKEN.findall(page)
    form = {"amount": "4", "reason": "补记签到", "once_token": tokens[0] if tokens else once.issue()}
    first = client.post(f"/points/accounts/{account.pk}/adjust/", form)
    again = client.post(f"/points/accounts/{account.pk}/adjust/", form, follow=True)
    assert first.status_code == 302
    assert "已提交，请勿重复提交" in text(again)
    assert Adjustment.objects.filter(account=account).count() == 1
    services.adjustment_approve(actor=pw.city.dave, adjustment=Adjustment.objects.get(account=account))
    assert selectors.balance(pw.erin) == 14


def test_a_refused_adjustment_leaves_the_token_usable(pw: PointsWorld, client: Client) -> None:
    account = Account.objects.get(pk=earn(pw, pw.erin, 10, "a").to_account_id)
    client.force_login(pw.city.bob)
    token = once.issue()
    client.post(f"/points/accounts/{account.pk}/adjust/", {"amount": "4", "reason": "", "once_token": token})
    assert not Adjustment.objects.exists()
    form = {"amount": "4", "reason": "补记签到", "once_token": token}
    client.post(f"/points/accounts/{account.pk}/adjust/", form)
    assert Adjustment.objects.count() == 1


def test_a_repeated_new_goods_form_lists_one_item(pw: PointsWorld, client: Client) -> None:
    client.force_login(pw.city.bob)
    form = {
        "community": pw.city.comm_a1.pk,
        "name": "毛巾",
        "price": "35",
        "stock": "10",
        "unit_label": "条",
        "per_person_limit": "0",
        "once_token": once.issue(),
    }
    first = client.post("/points/goods/", form)
    again = client.post("/points/goods/", form, follow=True)
    assert first.status_code == 302
    assert "已提交，请勿重复提交" in text(again)
    assert Goods.objects.filter(name="毛巾").count() == 1


def test_a_repeated_restock_form_counts_once(pw: PointsWorld, client: Client) -> None:
    client.force_login(pw.city.bob)
    form = {"action": "restock", "quantity": "20", "note": "捐赠", "once_token": once.issue()}
    url = f"/points/goods/{pw.soap.pk}/"
    assert client.post(url, form).status_code == 302
    assert "已提交，请勿重复提交" in text(client.post(url, form, follow=True))
    assert Goods.objects.get(pk=pw.soap.pk).stock == 25
    assert StockEntry.objects.filter(goods=pw.soap, delta=20).count() == 1


def adjust_api(
    client: Client, account: int, key: str | None, amount: int = 4, reason: str = "补记签到"
) -> Any:
    return client.post(
        "/api/v1/points/adjustments",
        {"account_id": account, "amount": amount, "reason": reason},
        content_type="application/json",
        headers={"Idempotency-Key": key} if key else {},
    )


def test_the_api_adjustment_takes_an_idempotency_key(pw: PointsWorld, client: Client) -> None:
    account = earn(pw, pw.erin, 10, "a").to_account_id
    client.force_login(pw.city.bob)
    first = adjust_api(client, account, "retry-1")
    again = adjust_api(client, account, "retry-1")
    assert first.status_code == again.status_code == 201, text(again)
    assert first.json()["id"] == again.json()["id"]
    assert Adjustment.objects.count() == 1
    reused = adjust_api(client, account, "retry-1", amount=5)
    assert reused.status_code == 409 and reused.json()["code"] == "idempotency_key_reused"
    assert adjust_api(client, account, "retry-2").status_code == 201
    assert adjust_api(client, account, None).status_code == 201  # no key: a new one each time
    assert Adjustment.objects.count() == 3
    assert Adjustment.objects.filter(status=AdjustmentStatus.PENDING).count() == 3


def test_an_idempotency_key_is_the_requesters_own(pw: PointsWorld) -> None:
    earn(pw, pw.erin, 10, "a")
    mine = services.points_adjust(
        actor=pw.city.bob, holder=pw.erin, amount=4, reason="补记签到", request_key="k"
    )
    colleague = make_user("bob2", "社区工作者二")
    accounts.role_grant(
        actor=None, system=True, user=colleague, role=Role.COMMUNITY_WORKER, node=pw.city.comm_a1
    )
    theirs = services.points_adjust(
        actor=colleague, holder=pw.erin, amount=4, reason="补记签到", request_key="k"
    )
    assert mine.pk != theirs.pk


# ---------------------------------------------------------------------------------------------
# 3. The stock cap holds on restock; the H5 box's max is the real limit


def test_a_restock_past_the_cap_is_refused(pw: PointsWorld, client: Client) -> None:
    big = services.goods_create(
        actor=pw.city.bob, node=pw.city.comm_a1, name="大米", price=5, stock=MAX_STOCK
    )
    with pytest.raises(ValidationError) as caught:
        services.goods_restock(actor=pw.city.bob, goods=big, quantity=1)
    assert "quantity" in caught.value.errors
    assert Goods.objects.get(pk=big.pk).stock == MAX_STOCK
    client.force_login(pw.city.bob)
    page = client.post(f"/points/goods/{pw.soap.pk}/", {"action": "restock", "quantity": str(MAX_STOCK)})
    assert page.status_code == 422 and "上限" in text(page)
    assert Goods.objects.get(pk=pw.soap.pk).stock == 5
    api = client.post(
        f"/api/v1/points/goods/{pw.soap.pk}/restock",
        {"quantity": MAX_STOCK - 4},
        content_type="application/json",
    )
    assert api.status_code == 422 and "quantity" in api.json()["detail"], api.json()
    assert services.goods_restock(actor=pw.city.bob, goods=pw.soap, quantity=MAX_STOCK - 5).stock == MAX_STOCK
    assert services.goods_restock(actor=pw.city.bob, goods=pw.soap, quantity=-3).stock == MAX_STOCK - 3


# ---------------------------------------------------------------------------------------------
# 4. A blank quantity is refused, the form shows 1


def test_a_blank_quantity_redeems_nothing(pw: PointsWorld, client: Client) -> None:
    earn(pw, pw.erin, 50, "a")
    client.force_login(pw.erin_user)
    page = text(client.get("/points/my/shop/"))
    assert re.search(r'name="quantity"[^>]*value="1"', page) or re.search(
        r'value="1"[^>]*name="quantity"', page
    )
    response = client.post(
        "/points/my/shop/", {"goods": pw.soap.pk, "quantity": "", "once_token": once.issue()}, follow=True
    )
    assert "请填写数量" in text(response)
    assert not Redemption.objects.exists() and selectors.balance(pw.erin) == 50
