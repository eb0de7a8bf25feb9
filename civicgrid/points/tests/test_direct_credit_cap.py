"""A hand credit (发放积分) above CIVICGRID_POINTS_DIRECT_CREDIT_MAX (default 200) must go
through an adjustment a leader approves (outside tester: 100000 points went in by hand while
+5 through 积分调整 needed a leader). Refused with a clear message, nothing credited; on the
page the adjustment form comes back filled in."""

import pytest
from django.test import Client

from civicgrid.core.errors import ValidationError
from civicgrid.points import services
from civicgrid.points.constants import Source
from civicgrid.points.selectors import account_for, balance
from civicgrid.points.tests.conftest import PointsWorld, counts, earn

pytestmark = pytest.mark.django_db


def hand(pw: PointsWorld, amount: int, ref: str) -> object:
    return services.points_earn(
        actor=pw.city.bob,
        holder=pw.erin,
        amount=amount,
        source=Source.MANUAL,
        source_ref=ref,
        node=pw.city.comm_a1,
    )


def test_a_hand_credit_over_the_cap_is_refused(pw: PointsWorld) -> None:
    hand(pw, 200, "at-cap")
    before = counts()
    with pytest.raises(ValidationError) as caught:
        hand(pw, 201, "over")
    assert caught.value.code == "direct_credit_cap"
    assert "直接发放积分单次最多200分（现为201分）" in caught.value.message
    batch = [services.EarnEntry(holder=pw.frank, amount=500, source_ref="b1")]
    with pytest.raises(ValidationError, match="最多200分"):
        services.points_earn_many(
            actor=pw.city.bob, entries=batch, source=Source.MANUAL, node=pw.city.comm_a1
        )
    assert counts() == before and balance(pw.erin) == 200
    # credits of other sources (an activity's rule, an alliance) are not hand credits
    earn(pw, pw.erin, 5000, "rule")
    assert balance(pw.erin) == 5200


def test_the_cap_is_a_setting(pw: PointsWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICGRID_POINTS_DIRECT_CREDIT_MAX", "1000")
    hand(pw, 1000, "ok")
    monkeypatch.setenv("CIVICGRID_POINTS_DIRECT_CREDIT_MAX", "0")
    with pytest.raises(ValidationError, match="最多0分"):
        hand(pw, 1, "none")


def test_the_page_offers_the_adjustment_instead(pw: PointsWorld) -> None:
    earn(pw, pw.erin, 10, "open")
    account = account_for(pw.erin)
    assert account is not None
    client = Client()
    client.force_login(pw.city.bob)
    before = counts()
    data = {"amount": "5000", "note": "年度优秀志愿者奖励", "token": "t"}
    data["community"] = str(pw.city.comm_a1.pk)
    response = client.post(f"/points/accounts/{account.pk}/earn/", data)
    assert response.status_code == 422
    body = response.content.decode()
    assert "超过的请提交积分调整" in body
    adjust_form = body[body.index("account_adjust") if "account_adjust" in body else body.index("/adjust/") :]
    assert 'value="5000"' in adjust_form and 'value="年度优秀志愿者奖励"' in adjust_form
    assert counts() == before
