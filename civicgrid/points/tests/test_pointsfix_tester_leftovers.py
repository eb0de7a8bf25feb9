"""Leftovers an outside tester found in points:

* the API's 422s name the body's fields (``resident_id``, ``organisation_id``, ``goods_id``,
  ``expected_version``), never the services' ``holder``;
* the H5 shop answers a refused redeem (积分不足, a bad quantity, 限兑) with 422 and the shop
  again, the reason beside the item's quantity box (it answered 200 after a redirect);
* 新增商品 refuses a price typed as "1e3" (read as 1000), naming the field;
* PATCH /goods/{id} with ``stock`` is refused (422 naming it, pointing at 入库), not ignored;
* a bad goods version reads 版本号无效，请刷新页面后重试.
"""

import re
from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role
from civicgrid.points import services
from civicgrid.points.models import Goods
from civicgrid.points.tests.conftest import PointsWorld, counts, earn

pytestmark = pytest.mark.django_db

API = "/api/v1/points"
SHOP = "/points/my/shop/"
TOKEN = re.compile(r'name="once_token" value="([0-9a-f]{32})"')


def staff(pw: PointsWorld) -> Client:
    client = Client()
    client.force_login(pw.city.bob)
    return client


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(API + url, data, content_type="application/json")


# ------------------------------------------------------------------------------ API field names


@pytest.mark.parametrize("url", ["/earn", "/redemptions"])
def test_neither_or_both_holders_names_the_two_body_fields(pw: PointsWorld, url: str) -> None:
    body = {"amount": 5, "node_id": pw.city.grid_a1_1.pk, "source_ref": "x", "goods_id": pw.soap.pk}
    client = staff(pw)
    for holders in ({}, {"resident_id": pw.erin.pk, "organisation_id": pw.unit.pk}):
        response = post(client, url, body | holders)
        assert response.status_code == 422, response.json()
        detail = response.json()["detail"]
        assert set(detail) == {"resident_id", "organisation_id"}, detail
        assert response.json()["message"] == "请指定一位居民或一个单位"


def test_a_holder_outside_the_shops_community_is_named_by_its_body_field(pw: PointsWorld) -> None:
    # bob works in 通江 too: he sees gina, who lives outside the soap's community
    accounts.role_grant(
        actor=None, system=True, user=pw.city.bob, role=Role.COMMUNITY_WORKER, node=pw.city.comm_b1
    )
    client = staff(pw)
    earn(pw, pw.gina, 50, "g")
    response = post(client, "/redemptions", {"goods_id": pw.soap.pk, "resident_id": pw.gina.pk})
    assert response.status_code == 422, response.json()
    assert response.json()["detail"] == {"resident_id": ["本积分超市仅面向本社区居民和共建单位"]}


def test_a_bad_expected_version_of_a_goods_patch_is_named_and_worded(pw: PointsWorld) -> None:
    response = staff(pw).patch(
        f"{API}/goods/{pw.soap.pk}", {"price": 12, "expected_version": 0}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"] == {"expected_version": ["版本号无效，请刷新页面后重试"]}
    pw.soap.refresh_from_db()
    assert pw.soap.price == 10


# ------------------------------------------------------------------------------ PATCH refuses stock


def test_patching_stock_is_refused_naming_it_and_pointing_at_restock(pw: PointsWorld) -> None:
    url = f"{API}/goods/{pw.soap.pk}"
    response = staff(pw).patch(url, {"stock": -1, "price": 12}, content_type="application/json")
    assert response.status_code == 422, response.json()
    body = response.json()
    assert list(body["detail"]) == ["stock"]
    assert "入库" in body["message"] and "/restock" in body["message"]
    pw.soap.refresh_from_db()
    assert (pw.soap.stock, pw.soap.price) == (5, 10)  # nothing changed


def test_patching_an_unknown_field_is_refused_naming_it(pw: PointsWorld) -> None:
    url = f"{API}/goods/{pw.soap.pk}"
    response = staff(pw).patch(url, {"prise": 12}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"] == {"prise": ["不是可接受的字段"]}
    ok = staff(pw).patch(url, {"price": 12}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["price"] == 12


# ------------------------------------------------------------------------------ 新增商品: plain numbers


@pytest.mark.parametrize("typed", ["1e3", "1000.0", "1,000", "0x10"])
def test_the_create_page_refuses_a_price_that_is_not_plain_digits(pw: PointsWorld, typed: str) -> None:
    before = counts()
    form = {"community": str(pw.city.comm_a1.pk), "name": "花生油", "price": typed, "stock": "3"}
    response = staff(pw).post("/points/goods/", form)
    assert response.status_code == 422
    assert (
        '<span class="error field-error">所需积分应为1到100000之间的整数</span>' in response.content.decode()
    )
    assert counts() == before and not Goods.objects.filter(name="花生油").exists()


def test_plain_digits_are_still_a_price(pw: PointsWorld) -> None:
    form = {"community": str(pw.city.comm_a1.pk), "name": "花生油", "price": " 25 ", "stock": "3"}
    assert staff(pw).post("/points/goods/", form).status_code == 302
    assert Goods.objects.get(name="花生油").price == 25


# ------------------------------------------------------------------------------ the H5 shop


def redeem(client: Client, goods: Goods, quantity: str) -> Any:
    (token,) = TOKEN.findall(client.get(SHOP).content.decode())
    return client.post(SHOP, {"goods": goods.pk, "quantity": quantity, "once_token": token})


def reason_beside_quantity(html: str, goods: Goods) -> str:
    found = re.search(rf'<p class="err" id="quantity-err-{goods.pk}" role="alert"[^>]*>(.*?)</p>', html)
    assert found is not None, html
    assert f'aria-describedby="quantity-err-{goods.pk}"' in html
    return found.group(1)


@pytest.mark.parametrize(
    ("points", "quantity", "reason"),
    [
        (5, "1", "积分不足：需要10分，当前5分"),
        (50, "0", "数量应为1到99之间的整数"),
        (50, "abc", "数量应为1到99之间的整数"),
        (50, "", "请填写数量"),
    ],
)
def test_a_refused_redeem_is_422_with_the_reason_beside_the_quantity(
    pw: PointsWorld, client: Client, points: int, quantity: str, reason: str
) -> None:
    earn(pw, pw.erin, points, "a")
    client.force_login(pw.erin_user)
    before = counts()
    response = redeem(client, pw.soap, quantity)
    assert response.status_code == 422
    html = response.content.decode()
    assert reason_beside_quantity(html, pw.soap) == reason
    assert f'value="{quantity}"' in html  # what was typed is kept
    assert counts() == before


def test_the_per_person_limit_is_422_beside_the_quantity(pw: PointsWorld, client: Client) -> None:
    services.goods_update(actor=pw.city.bob, goods=pw.soap, per_person_limit=1)
    earn(pw, pw.erin, 50, "a")
    client.force_login(pw.erin_user)
    assert redeem(client, pw.soap, "1").status_code == 302
    response = redeem(client, pw.soap, "1")
    assert response.status_code == 422
    assert reason_beside_quantity(response.content.decode(), pw.soap) == "该商品每人限兑1件"


def test_a_good_redeem_still_goes_to_its_pickup_code(pw: PointsWorld, client: Client) -> None:
    earn(pw, pw.erin, 50, "a")
    client.force_login(pw.erin_user)
    response = redeem(client, pw.soap, "2")
    assert response.status_code == 302 and response["Location"].startswith("/points/my/redemptions/")
