"""Community pages and the resident's H5 pages of points."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.core.models import AuditLog
from civicgrid.points import selectors, services
from civicgrid.points.models import Adjustment, AdjustmentStatus, Redemption, RedemptionStatus
from civicgrid.points.tests.conftest import PointsWorld, counts, earn

pytestmark = pytest.mark.django_db

STAFF_PAGES = [
    "/points/",
    "/points/goods/",
    "/points/redemptions/",
    "/points/hand-over/",
    "/points/accounts/",
    "/points/adjustments/",
    "/points/leaderboard/",
    "/points/rules/",
]


def as_(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def busy(pw: PointsWorld) -> PointsWorld:
    earn(pw, pw.erin, 80, "a")
    earn(pw, pw.frank, 40, "b")
    services.points_redeem(actor=pw.erin_user, holder=pw.erin, goods=pw.soap)
    services.points_adjust(actor=pw.city.bob, holder=pw.frank, amount=5, reason="补记签到")
    return pw


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_pages_show_the_community(
    busy: PointsWorld, client: Client, url: str, django_assert_max_num_queries: Any
) -> None:
    as_(client, busy.city.bob)
    with django_assert_max_num_queries(25):
        response = client.get(url)
    assert response.status_code == 200, text(response)[:500]


def test_staff_pages_show_names_and_numbers(busy: PointsWorld, client: Client) -> None:
    as_(client, busy.city.bob)
    assert "张小燕" in text(client.get("/points/accounts/"))
    assert "洗衣皂" in text(client.get("/points/goods/"))
    assert "待领取" in text(client.get("/points/redemptions/"))
    account = selectors.account_for(busy.erin)
    assert account is not None
    page = text(client.get(f"/points/accounts/{account.pk}/"))
    assert "兑换 洗衣皂" in page and "70" in page


def test_outsider_sees_nothing_of_another_community(busy: PointsWorld, client: Client) -> None:
    as_(client, busy.city.carol)
    for url in ("/points/accounts/", "/points/goods/", "/points/redemptions/"):
        body = text(client.get(url))
        assert "张小燕" not in body and "洗衣皂" not in body
    account = selectors.account_for(busy.erin)
    assert account is not None
    assert client.get(f"/points/accounts/{account.pk}/").status_code == 404
    assert client.get(f"/points/goods/{busy.soap.pk}/").status_code == 404
    before = counts()
    r = Redemption.objects.get()
    client.post("/points/hand-over/", {"code": r.code})
    client.post(f"/points/redemptions/{r.pk}/cancel/")
    client.post(f"/points/accounts/{account.pk}/earn/", {"amount": "10", "token": "x"})
    assert counts() == before
    assert Redemption.objects.get().status == RedemptionStatus.RESERVED


def test_a_grid_worker_is_refused(busy: PointsWorld, client: Client) -> None:
    as_(client, busy.city.alice)
    assert client.get("/points/goods/").status_code == 403
    assert client.get("/points/").status_code == 403


def test_goods_created_and_restocked_from_the_page(pw: PointsWorld, client: Client) -> None:
    as_(client, pw.city.bob)
    response = client.post(
        "/points/goods/",
        {"community": pw.city.comm_a1.pk, "name": "食用油", "price": "50", "stock": "8", "donor": pw.unit.pk},
    )
    assert response.status_code == 302
    goods = pw.soap.__class__.objects.get(name="食用油")
    assert goods.stock == 8 and goods.donor_id == pw.unit.pk
    client.post(f"/points/goods/{goods.pk}/", {"action": "restock", "quantity": "4"})
    goods.refresh_from_db()
    assert goods.stock == 12
    before = counts()
    response = client.post("/points/goods/", {"community": pw.city.comm_a1.pk, "name": "坏", "price": "-3"})
    assert counts() == before
    assert response.status_code == 422 and "所需积分应为1到100000之间的整数" in text(response)


@pytest.mark.parametrize(("field", "raw"), [("price", "abc"), ("price", "2.5"), ("per_person_limit", "1e12")])
def test_typed_goods_numbers_are_refused_as_the_service_words_them(
    pw: PointsWorld, client: Client, field: str, raw: str
) -> None:
    """The page reads whole numbers with core.validators.whole_value: "abc" was "所需积分必须是整数",
    and a limit of 1e12 ("每人限兑" was never bounded) reached the database."""
    as_(client, pw.city.bob)
    before = counts()
    form = {"community": pw.city.comm_a1.pk, "name": "食用油", "price": "5", field: raw}
    response = client.post("/points/goods/", form)
    label, bound = {"price": ("所需积分", "1到100000"), "per_person_limit": ("每人限兑", "0到100000")}[field]
    assert response.status_code == 422 and f"{label}应为{bound}之间的整数" in text(response)
    assert counts() == before


def test_a_typed_amount_that_is_no_whole_number_is_refused_on_the_page(
    busy: PointsWorld, client: Client
) -> None:
    as_(client, busy.city.bob)
    account = selectors.account_for(busy.frank)
    assert account is not None
    before = counts()
    data = {"amount": "2.5", "token": "tok-2", "community": busy.city.comm_a1.pk}
    body = text(client.post(f"/points/accounts/{account.pk}/earn/", data, follow=True))
    assert "积分应为1到100000之间的整数" in body
    body = text(
        client.post(f"/points/accounts/{account.pk}/adjust/", {"amount": "0", "reason": "补记"}, follow=True)
    )
    assert "调整积分不能为0" in body
    assert counts() == before


def test_hand_over_page(busy: PointsWorld, client: Client) -> None:
    as_(client, busy.city.bob)
    r = Redemption.objects.get()
    assert "张小燕" in text(client.get(f"/points/hand-over/?code={r.code}"))
    body = text(client.post("/points/hand-over/", {"code": r.code}, follow=True))
    assert "已核销" in body
    body = text(client.post("/points/hand-over/", {"code": r.code}, follow=True))
    assert "该取货码已使用" in body
    body = text(client.post("/points/hand-over/", {"code": "NOPE1234"}, follow=True))
    assert "取货码无效" in body


def test_adjustment_approved_by_the_leader_on_the_page(busy: PointsWorld, client: Client) -> None:
    a = Adjustment.objects.get()
    as_(client, busy.city.bob)
    assert "待有审批权限的领导审批" in text(client.get("/points/adjustments/"))
    client.post(f"/points/adjustments/{a.pk}/decide/", {"decision": "approve"})
    assert Adjustment.objects.get().status == AdjustmentStatus.PENDING
    as_(client, busy.city.dave)
    assert "补记签到" in text(client.get("/points/adjustments/"))
    client.post(f"/points/adjustments/{a.pk}/decide/", {"decision": "approve", "note": "同意"})
    assert Adjustment.objects.get().status == AdjustmentStatus.APPROVED
    assert selectors.balance(busy.frank) == 45


def test_the_leader_counts_the_accounts_behind_the_totals(busy: PointsWorld, client: Client) -> None:
    """The district leader reads the totals of the district: the accounts count is theirs too."""
    as_(client, busy.city.dave)
    page = text(client.get("/points/"))
    assert '<div class="n">2</div><div class="l">积分账户</div>' in page
    as_(client, busy.city.carol)  # the other community's worker: none of A1's accounts
    assert '<div class="n">0</div><div class="l">积分账户</div>' in text(client.get("/points/"))


def test_manual_earn_is_idempotent_by_form_token(busy: PointsWorld, client: Client) -> None:
    as_(client, busy.city.bob)
    account = selectors.account_for(busy.frank)
    assert account is not None
    data = {"amount": "12", "token": "tok-1", "note": "楼道清洁", "community": busy.city.comm_a1.pk}
    client.post(f"/points/accounts/{account.pk}/earn/", data)
    client.post(f"/points/accounts/{account.pk}/earn/", data)
    assert selectors.balance(busy.frank) == 52


def test_rules_page_saves_a_rule(pw: PointsWorld, client: Client) -> None:
    as_(client, pw.city.bob)
    client.post(
        "/points/rules/",
        {
            "community": pw.city.comm_a1.pk,
            "activity_type": "elderly_care",
            "name": "助老",
            "base_points": "2",
            "points_per_hour": "12",
            "difficulty_step": "0.5",
            "max_points": "0",
        },
    )
    assert "助老" in text(client.get("/points/rules/"))


# ------------------------------------------------------------------------------------ H5


def test_resident_sees_points_shop_and_redeems(pw: PointsWorld, client: Client) -> None:
    earn(pw, pw.erin, 35, "a")
    as_(client, pw.erin_user)
    assert "35" in text(client.get("/points/my/"))
    shop = text(client.get("/points/my/shop/"))
    assert "洗衣皂" in shop
    response = client.post("/points/my/shop/", {"goods": pw.soap.pk, "quantity": "2"})
    r = Redemption.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/points/my/redemptions/{r.pk}/"
    detail = text(client.get(response["Location"]))
    assert "<svg" in detail and r.code[:4] in detail
    assert "洗衣皂" in text(client.get("/points/my/redemptions/"))
    client.post(f"/points/my/redemptions/{r.pk}/cancel/")
    assert Redemption.objects.get().status == RedemptionStatus.CANCELLED and selectors.balance(pw.erin) == 35
    assert "张*燕" not in text(client.get("/points/my/board/?period=all"))  # her own row says 我


def test_resident_errors_are_shown_in_chinese(pw: PointsWorld, client: Client) -> None:
    as_(client, pw.erin_user)
    before = counts()
    body = text(client.post("/points/my/shop/", {"goods": pw.soap.pk, "quantity": "1"}, follow=True))
    assert "积分不足" in body
    body = text(client.post("/points/my/shop/", {"goods": "999999", "quantity": "1"}, follow=True))
    assert "商品不存在或已下架" in body
    assert counts() == before


def test_a_resident_cannot_see_another_residents_redemption(pw: PointsWorld, client: Client) -> None:
    earn(pw, pw.erin, 35, "a")
    r = services.points_redeem(actor=pw.erin_user, holder=pw.erin, goods=pw.soap)
    as_(client, pw.gina_user)
    assert client.get(f"/points/my/redemptions/{r.pk}/").status_code == 404
    before = counts()
    client.post(f"/points/my/redemptions/{r.pk}/cancel/")
    assert counts() == before
    # and staff pages are closed to residents
    assert client.get("/points/accounts/").status_code == 403


def test_staff_without_a_resident_account_get_a_clear_refusal(pw: PointsWorld, client: Client) -> None:
    as_(client, pw.city.bob)
    response = client.get("/points/my/")
    assert response.status_code == 403 and "请使用居民账号登录" in text(response)


def test_home_shows_points_figures(busy: PointsWorld, client: Client) -> None:
    as_(client, busy.city.bob)
    assert "待领取兑换" in text(client.get("/"))
    from civicgrid.points.figures import home_figures

    mine = home_figures(busy.erin_user)  # a resident's home is the H5 (volunteers) home
    assert (mine[0].label, mine[0].value) == ("我的积分", 70)
    assert AuditLog.objects.exists()
