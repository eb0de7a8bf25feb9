"""What the pages show of the outside tester's findings: hours with one decimal everywhere,
a one-time token in the 新增商品, 入库 and 申请调整 forms, the H5 quantity box's real max."""

import re

import pytest
from django.test import Client

from civicgrid.points import selectors, services
from civicgrid.points.checks import MAX_QUANTITY
from civicgrid.points.models import Account
from civicgrid.points.tests.conftest import PointsWorld, earn
from civicgrid.points.tests.test_pointsfix_findings import TOKEN, hours_world, text

pytestmark = pytest.mark.django_db

__all__ = ["hours_world"]  # the fixture


def test_every_page_shows_the_time_bank_with_one_decimal(hours_world: PointsWorld, client: Client) -> None:
    pw = hours_world
    client.force_login(pw.erin_user)
    my = text(client.get("/points/my/"))
    assert "<b>3.8</b>" in my  # 3.75 h, one decimal (half up)
    assert "2.5 小时" in my and "2.50" not in my
    assert "4.0 小时" not in my and "4.00" not in my  # hours that fed a rule, not banked
    board = text(client.get("/points/my/board/?period=all"))
    assert "3.8 小时" in board and "3.0 小时" in board
    client.force_login(pw.city.bob)
    staff_board = text(client.get(f"/points/leaderboard/?community={pw.city.comm_a1.pk}&period=all"))
    assert "3.8 小时" in staff_board and "6.5" not in staff_board and "7.75" not in staff_board
    account = selectors.account_for(pw.erin)
    assert account is not None
    detail = text(client.get(f"/points/accounts/{account.pk}/"))
    assert "3.8" in detail and "3.75" not in detail and "2.5 小时" in detail
    listing = text(client.get("/points/accounts/?order=hours"))
    assert "3.8 小时" in listing and "3.75" not in listing
    index = text(client.get(f"/points/?community={pw.city.comm_a1.pk}"))
    assert "3.0 小时" in index and "3.00" not in index


def post_form(page: str, marker: str) -> str:
    """The POST form of ``page`` that contains ``marker``."""
    (form,) = [f for f in re.findall(r"<form[^>]*method=\"post\".*?</form>", page, re.S) if marker in f]
    return form


def test_the_forms_carry_a_one_time_token(pw: PointsWorld, client: Client) -> None:
    account = Account.objects.get(pk=earn(pw, pw.erin, 10, "a").to_account_id)
    client.force_login(pw.city.bob)
    assert TOKEN.search(post_form(text(client.get(f"/points/accounts/{account.pk}/")), "/adjust/"))
    assert TOKEN.search(post_form(text(client.get("/points/goods/")), 'name="price"'))
    assert TOKEN.search(post_form(text(client.get(f"/points/goods/{pw.soap.pk}/")), 'value="restock"'))


def test_the_h5_quantity_box_stops_at_the_real_limit(pw: PointsWorld, client: Client) -> None:
    services.goods_restock(actor=pw.city.bob, goods=pw.soap, quantity=1000)
    limited = services.goods_create(
        actor=pw.city.bob, node=pw.city.comm_a1, name="食用油", price=10, stock=50, per_person_limit=3
    )
    earn(pw, pw.erin, 100, "a")
    services.points_redeem(actor=pw.erin_user, holder=pw.erin, goods=limited)
    client.force_login(pw.erin_user)
    page = text(client.get("/points/my/shop/"))
    maxes = re.findall(r'name="quantity"[^>]*max="(\d+)"', page)
    assert sorted(int(m) for m in maxes) == [2, MAX_QUANTITY]  # 3 less the one taken; 99 of 1005
    assert 'max="1005"' not in page
