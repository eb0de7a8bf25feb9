"""A double click on 兑换 in the H5 shop redeems (and charges) once (``core.once``)."""

import re

import pytest
from django.test import Client

from civicgrid.points import selectors
from civicgrid.points.models import Redemption
from civicgrid.points.tests.conftest import PointsWorld, earn

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="once_token" value="([0-9a-f]{32})"')


def test_a_repeated_redeem_charges_once(pw: PointsWorld, client: Client) -> None:
    earn(pw, pw.erin, 35, "a")
    client.force_login(pw.erin_user)
    shop = client.get("/points/my/shop/").content.decode()
    (token,) = TOKEN.findall(shop)  # one goods, one form, one token
    form = {"goods": pw.soap.pk, "quantity": "1", "once_token": token}
    first = client.post("/points/my/shop/", form)
    assert first.status_code == 302 and first["Location"].startswith("/points/my/redemptions/")
    again = client.post("/points/my/shop/", form, follow=True)
    assert again.redirect_chain[-1][0] == "/points/my/redemptions/"
    assert "已提交，请勿重复提交" in again.content.decode()
    assert Redemption.objects.count() == 1 and selectors.balance(pw.erin) == 25


def test_a_refused_redeem_leaves_the_token_usable(pw: PointsWorld, client: Client) -> None:
    client.force_login(pw.erin_user)
    (token,) = TOKEN.findall(client.get("/points/my/shop/").content.decode())
    form = {"goods": pw.soap.pk, "quantity": "1", "once_token": token}
    assert "积分不足" in client.post("/points/my/shop/", form, follow=True).content.decode()
    earn(pw, pw.erin, 35, "a")
    assert client.post("/points/my/shop/", form).status_code == 302
    assert Redemption.objects.count() == 1
