"""The account page's 发放积分 and 积分调整 forms read an amount as plain digits, as the API
(积分：应为整数) and the goods fields do: "1e2", "1e3", "100.0" and "1,000" are refused with a
422 naming the field, nothing credited or asked for. Before, they were read as 100 and 1000."""

import pytest
from django.test import Client

from civicgrid.points.models import Adjustment
from civicgrid.points.selectors import account_for
from civicgrid.points.tests.conftest import PointsWorld, counts, earn

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["1e2", "1e3", "100.0", "1,000", "0x10"])
def test_earn_refuses_an_amount_that_is_not_plain_digits(pw: PointsWorld, client: Client, typed: str) -> None:
    earn(pw, pw.erin, 10, "open")
    account = account_for(pw.erin)
    assert account is not None
    client.force_login(pw.city.bob)
    before = counts()
    data = {"amount": typed, "note": "线下活动", "token": f"t-{typed}", "community": str(pw.city.comm_a1.pk)}
    response = client.post(f"/points/accounts/{account.pk}/earn/", data)
    assert response.status_code == 422
    assert "积分应为1到" in response.content.decode()
    assert counts() == before


@pytest.mark.parametrize("typed", ["1e2", "-1e2", "50.0"])
def test_adjust_refuses_an_amount_that_is_not_plain_digits(
    pw: PointsWorld, client: Client, typed: str
) -> None:
    earn(pw, pw.erin, 10, "open")
    account = account_for(pw.erin)
    assert account is not None
    client.force_login(pw.city.bob)
    before = counts()
    response = client.post(f"/points/accounts/{account.pk}/adjust/", {"amount": typed, "reason": "补录"})
    assert response.status_code == 422
    assert "调整积分应为" in response.content.decode()
    assert counts() == before and not Adjustment.objects.exists()


def test_plain_and_full_width_digits_are_still_read(pw: PointsWorld, client: Client) -> None:
    earn(pw, pw.erin, 10, "open")
    account = account_for(pw.erin)
    assert account is not None
    client.force_login(pw.city.bob)
    data = {"amount": "２０", "note": "线下活动", "token": "fw", "community": str(pw.city.comm_a1.pk)}
    response = client.post(f"/points/accounts/{account.pk}/earn/", data)
    assert response.status_code == 302, response.content.decode()[:500]
    account.refresh_from_db()
    assert account.balance == 30
    response = client.post(f"/points/accounts/{account.pk}/adjust/", {"amount": "-5", "reason": "补录更正"})
    assert response.status_code == 302
    assert Adjustment.objects.get().amount == -5
