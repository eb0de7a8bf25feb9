"""The resident's points pages on the phone: one h1 each (the bar's title), a browser title
without "积分超市" twice, a back arrow to the parent page (我的积分, or for 我的积分 the
H5 home the resident came from), the ranking of residents only, sign-out a 44px target."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from civicgrid.points import services
from civicgrid.points.tests.conftest import PointsWorld, earn

pytestmark = pytest.mark.django_db


def body(client: Client, url: str, **extra: str) -> str:
    response = client.get(url, **extra)  # type: ignore[arg-type]
    assert response.status_code == 200, url
    return response.content.decode()


def back_of(html: str) -> str:
    found = re.search(r'<a class="h5-back" href="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def title_of(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found is not None
    return " ".join(found.group(1).split())


@pytest.fixture
def erin(pw: PointsWorld, client: Client) -> Client:
    earn(pw, pw.erin, 30, "e1")
    client.force_login(pw.erin_user)
    return client


def test_each_page_has_one_h1_and_its_title(pw: PointsWorld, erin: Client) -> None:
    redemption = services.points_redeem(actor=pw.erin_user, holder=pw.erin, goods=pw.soap, quantity=1)
    pages = {
        reverse("points:h5_my"): "我的积分 · 积分超市",
        reverse("points:h5_shop"): "积分超市",
        reverse("points:h5_redemptions"): "我的兑换 · 积分超市",
        reverse("points:h5_redemption", args=[redemption.pk]): "取货码 · 积分超市",
        reverse("points:h5_board"): "居民积分排行 · 积分超市",
    }
    for url, title in pages.items():
        html = body(erin, url)
        assert len(re.findall(r"<h1[\s>]", html)) == 1, url
        assert re.search(r'<h1 class="h5-title">', html), url
        assert title_of(html) == title, url


def test_the_back_arrow_goes_to_the_parent_page(pw: PointsWorld, erin: Client) -> None:
    my = reverse("points:h5_my")
    for name in ("points:h5_redemptions", "points:h5_board", "points:h5_shop"):
        assert back_of(body(erin, reverse(name))) == my, name
    # 我的积分 itself: the H5 home one came from, remembered while one moves about the pages
    assert back_of(body(erin, my)) == reverse("volunteers:h5_home")
    party = "http://testserver" + reverse("party:h5_home")
    assert back_of(body(erin, my, HTTP_REFERER=party)) == reverse("party:h5_home")
    shop = "http://testserver" + reverse("points:h5_shop")
    assert back_of(body(erin, my, HTTP_REFERER=shop)) == reverse("party:h5_home")
    volunteers = "http://testserver" + reverse("volunteers:h5_card")
    assert back_of(body(erin, my, HTTP_REFERER=volunteers)) == reverse("volunteers:h5_home")
    # another site's page of the same path does not count
    elsewhere = "https://example.com" + reverse("party:h5_home")
    assert back_of(body(erin, my, HTTP_REFERER=elsewhere)) == reverse("volunteers:h5_home")


def test_the_board_ranks_residents_only(pw: PointsWorld, erin: Client) -> None:
    earn(pw, pw.unit, 500, "u1")  # the shop that donates: more points than any resident
    html = body(erin, reverse("points:h5_board") + "?period=all")
    assert pw.unit.name not in html
    ranks = re.findall(r'<span class="rank[^"]*">(\d+)</span>', html)
    assert ranks == ["1"]  # erin, the only resident who earned
    assert "居民积分排行" in html and "不含商户、单位" in html


def test_sign_out_is_a_44px_target(pw: PointsWorld, erin: Client) -> None:
    html = body(erin, reverse("points:h5_my"))
    assert '<button type="submit" class="h5-signout"><span>退出</span></button>' in html
    assert "min-height:28px" not in html
    css = Path(str(finders.find("civicgrid/h5.css"))).read_text()
    rule = re.search(r"\.h5-signout \{([^}]*)\}", css)
    assert rule and "min-width: 44px" in rule.group(1) and "min-height: 44px" in rule.group(1)
