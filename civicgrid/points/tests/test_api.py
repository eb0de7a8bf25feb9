"""The JSON API of points: same services, same checks, errors as {code, message, detail}."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.points import selectors, services
from civicgrid.points.models import Adjustment, Redemption, RedemptionStatus
from civicgrid.points.tests.conftest import PointsWorld, counts, earn

pytestmark = pytest.mark.django_db

API = "/api/v1/points"


def as_(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(API + url, data, content_type="application/json")


def test_resident_redeems_and_cancels_through_the_api(pw: PointsWorld, client: Client) -> None:
    earn(pw, pw.erin, 50, "a")
    as_(client, pw.erin_user)
    me = client.get(API + "/me").json()
    assert me["balance"] == 50 and me["name"] == "张小燕"
    assert [g["name"] for g in client.get(API + "/shop").json()] == ["洗衣皂"]
    response = post(client, "/redemptions", {"goods_id": pw.soap.pk, "quantity": 2})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["points"] == 20 and body["status"] == "reserved" and len(body["code"]) == 8
    assert client.get(API + "/me/movements").json()["results"][0]["signed"] == -20
    response = post(client, f"/redemptions/{body['id']}/cancel", {"reason": "不要了"})
    assert response.json()["status"] == "cancelled"
    assert client.get(API + "/me").json()["balance"] == 50


def test_shopkeeper_hands_over_once(pw: PointsWorld, client: Client) -> None:
    earn(pw, pw.erin, 50, "a")
    r = services.points_redeem(actor=pw.erin_user, holder=pw.erin, goods=pw.soap)
    as_(client, pw.city.bob)
    assert post(client, "/redemptions/hand-over", {"code": r.code}).json()["status"] == "handed_over"
    again = post(client, "/redemptions/hand-over", {"code": r.code})
    assert again.status_code == 409
    assert again.json() == {
        "code": "already_handed_over",
        "message": "该取货码已使用，商品已领取",
        "detail": None,
    }


def test_bad_input_gets_a_clear_chinese_error_and_changes_nothing(pw: PointsWorld, client: Client) -> None:
    earn(pw, pw.erin, 50, "a")
    as_(client, pw.city.bob)
    before = counts()
    bad = post(
        client,
        "/earn",
        {"resident_id": pw.erin.pk, "amount": -5, "node_id": pw.city.grid_a1_1.pk, "source_ref": "x"},
    )
    assert bad.status_code == 422 and bad.json()["message"] == "积分应为1到100000之间的整数"
    assert bad.json()["detail"] == {"amount": ["积分应为1到100000之间的整数"]}
    unknown = post(client, "/redemptions", {"goods_id": 999999, "resident_id": pw.erin.pk})
    assert unknown.status_code == 404 and unknown.json()["message"] == "商品不存在或已下架"
    wrong = post(client, "/redemptions/hand-over", {"code": "ABCD2345"})
    assert wrong.status_code == 404 and wrong.json()["message"] == "取货码无效，请核对后重试"
    missing = post(client, "/goods", {"node_id": pw.city.comm_a1.pk, "name": "米"})
    assert missing.status_code == 422
    assert counts() == before


def test_staff_earn_goods_adjust_and_leaderboard(pw: PointsWorld, client: Client) -> None:
    as_(client, pw.city.bob)
    data = {"organisation_id": pw.unit.pk, "amount": 30, "node_id": pw.city.comm_a1.pk, "source_ref": "k1"}
    assert post(client, "/earn", data).status_code == 201
    assert post(client, "/earn", data).status_code == 201  # a retry: same movement
    assert selectors.balance(pw.unit) == 30
    goods = post(client, "/goods", {"node_id": pw.city.comm_a1.pk, "name": "大米", "price": 40, "stock": 3})
    assert goods.status_code == 201
    restocked = post(client, f"/goods/{goods.json()['id']}/restock", {"quantity": 2})
    assert restocked.json()["stock"] == 5
    account = selectors.account_for(pw.unit)
    assert account is not None
    adj = post(client, "/adjustments", {"account_id": account.pk, "amount": 10, "reason": "联盟活动补记"})
    assert adj.status_code == 201
    as_(client, pw.city.dave)
    approved = post(client, f"/adjustments/{adj.json()['id']}/approve", {"note": "同意"})
    assert approved.json()["status"] == "approved" and selectors.balance(pw.unit) == 40
    board = client.get(f"{API}/leaderboard?node_id={pw.city.comm_a1.pk}&period=all").json()
    assert board[0]["name"] == "胜利门便民超市" and board[0]["points"] == 30


def test_outsider_gets_nothing_and_changes_nothing(pw: PointsWorld, client: Client) -> None:
    earn(pw, pw.erin, 50, "a")
    r = services.points_redeem(actor=pw.erin_user, holder=pw.erin, goods=pw.soap)
    services.points_adjust(actor=pw.city.bob, holder=pw.erin, amount=5, reason="补记")
    as_(client, pw.city.carol)
    before = counts()
    assert client.get(API + "/accounts").json() == []
    assert client.get(API + "/goods").json() == []
    assert client.get(API + "/redemptions").json() == []
    assert post(client, "/redemptions/hand-over", {"code": r.code}).status_code == 404
    assert post(client, f"/redemptions/{r.pk}/cancel", {}).status_code == 404
    assert post(client, f"/goods/{pw.soap.pk}/restock", {"quantity": 5}).status_code == 404
    earn_other = {"resident_id": pw.erin.pk, "amount": 5, "node_id": pw.city.grid_b1_1.pk, "source_ref": "z"}
    assert post(client, "/earn", earn_other).status_code == 404
    a = Adjustment.objects.get()
    assert post(client, f"/adjustments/{a.pk}/approve", {}).status_code == 404
    assert client.get(f"{API}/leaderboard?node_id={pw.city.comm_a1.pk}").status_code in (403, 404)
    assert counts() == before
    assert Redemption.objects.get().status == RedemptionStatus.RESERVED


def test_resident_endpoints_refuse_staff_and_staff_endpoints_refuse_residents(
    pw: PointsWorld, client: Client
) -> None:
    as_(client, pw.city.bob)
    assert client.get(API + "/me").json()["message"] == "请使用居民账号登录"
    as_(client, pw.erin_user)
    assert client.get(API + "/accounts").status_code == 403
    assert client.get(API + "/redemptions").status_code == 403
    assert client.get(API + "/leaderboard").json() == []
    earn(pw, pw.frank, 40, "f")
    board = client.get(API + "/leaderboard?period=all").json()
    assert [(r["name"], r["points"]) for r in board] == [("李*方", 40)]


def test_batch_earn_credits_all_lines_once_and_names_a_bad_line(pw: PointsWorld, client: Client) -> None:
    as_(client, pw.city.bob)
    grid = pw.city.grid_a1_1.pk
    lines = [
        {"resident_id": pw.erin.pk, "amount": 10, "source_ref": "roll-1"},
        {"resident_id": pw.frank.pk, "amount": 20, "source_ref": "roll-2", "team": "red"},
        {"organisation_id": pw.unit.pk, "amount": 30, "source_ref": "roll-3"},
    ]
    made = post(client, "/earn/batch", {"node_id": grid, "lines": lines})
    assert made.status_code == 201, made.json()
    figures = ("count", "total", "skipped")
    assert {k: made.json()[k] for k in figures} == {"count": 3, "total": 60, "skipped": 0}
    again = post(client, "/earn/batch", {"node_id": grid, "lines": lines})  # a retry credits nothing
    assert {k: again.json()[k] for k in figures} == {"count": 0, "total": 0, "skipped": 3}
    balances = (selectors.balance(pw.erin), selectors.balance(pw.frank), selectors.balance(pw.unit))
    assert balances == (10, 20, 30)
    before = counts()
    bad = post(
        client,
        "/earn/batch",
        {
            "node_id": grid,
            "lines": [
                {"resident_id": pw.erin.pk, "amount": 5, "source_ref": "roll-4"},
                {"resident_id": pw.frank.pk, "amount": -5, "source_ref": "roll-5"},
            ],
        },
    )
    assert bad.status_code == 422 and bad.json()["detail"] == {
        "lines[1].amount": ["积分应为1到100000之间的整数"]
    }
    neither = post(client, "/earn/batch", {"node_id": grid, "lines": [{"amount": 5, "source_ref": "r6"}]})
    assert neither.status_code == 422 and "lines[0]" in neither.json()["detail"]
    empty = post(client, "/earn/batch", {"node_id": grid, "lines": []})
    assert empty.status_code == 422 and "lines" in empty.json()["detail"]
    truth = post(
        client, "/earn/batch", {"node_id": grid, "lines": [dict(lines[0], source_ref="t", amount=True)]}
    )
    assert truth.status_code == 422 and truth.json()["detail"] == {"lines[0].amount": ["应为整数"]}
    nul = post(
        client, "/earn/batch", {"node_id": grid, "lines": [dict(lines[0], source_ref="n", note="a\x00b")]}
    )
    assert nul.status_code == 422 and list(nul.json()["detail"]) == ["lines[0].note"]
    twice = post(client, "/earn/batch", {"node_id": grid, "lines": [dict(lines[0], source_ref="d")] * 2})
    assert twice.status_code == 422 and twice.json()["detail"] == {
        "lines[1].source_ref": ["与第1行的来源编号重复"]
    }
    # a ref already used for someone else refuses the whole batch and changes nothing
    stolen = [
        {"resident_id": pw.frank.pk, "amount": 5, "source_ref": "new-1"},
        {"resident_id": pw.frank.pk, "amount": 5, "source_ref": "roll-1"},  # erin's
    ]
    refused = post(client, "/earn/batch", {"node_id": grid, "lines": stolen})
    assert refused.status_code == 409 and refused.json()["code"] == "source_ref_taken"
    assert "第2行" in refused.json()["message"]
    assert counts() == before
    as_(client, pw.city.carol)  # outside the grid's scope
    assert post(client, "/earn/batch", {"node_id": grid, "lines": lines}).status_code == 404
