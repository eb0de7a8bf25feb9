"""The volunteer H5 pages on the phone: each has one h1 (the bar's title; a card's title is an
h2 that looks as before), and the small links beside the section headings of the home (全部,
发布本队活动, 接单大厅) are 44px tap targets laid out as before."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from civicgrid.accounts.models import User
from civicgrid.volunteers.tests.conftest import People

pytestmark = pytest.mark.django_db


def get(user: User, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def h1s(html: str) -> list[str]:
    return re.findall(r"<h1[\s>]", html)


def test_each_page_has_one_h1(people: People) -> None:
    for name in (
        "volunteers:h5_home",
        "volunteers:h5_card",
        "volunteers:h5_activities",
        "volunteers:h5_orders",
        "volunteers:h5_my_orders",
        "volunteers:h5_order_new",
        "volunteers:h5_points",
    ):
        html = get(people.zhang, reverse(name))
        assert len(h1s(html)) == 1 and '<h1 class="h5-title">' in html, name
    welcome = get(people.wangapo, reverse("volunteers:h5_home"))  # not a volunteer yet
    assert len(h1s(welcome)) == 1 and '<h2 class="headline">' in welcome
    # the certificate's own (printed) title is the h1; the bar's is not another
    certificate = get(people.zhang, reverse("volunteers:h5_certificate"))
    assert len(h1s(certificate)) == 1 and '<p class="h5-title">' in certificate


def test_the_section_links_are_44px_targets(people: People) -> None:
    html = get(people.zhang, reverse("volunteers:h5_home"))
    for name, text in (("volunteers:h5_activities", "全部"), ("volunteers:h5_orders", "接单大厅")):
        assert re.search(
            rf'<h2 class="section">[^<]*<a href="{reverse(name)}" class="hint">{text}</a></h2>', html
        ), text
    css = Path(str(finders.find("civicgrid/h5.css"))).read_text()
    rule = re.search(r"h2\.section a\.hint \{([^}]*)\}", css)
    assert rule is not None
    # 12px above and below a 13px line (20px) is 44px; the negative margins keep the layout
    for part in ("display: inline-block", "min-width: 44px", "padding: 12px 10px", "margin: -12px -10px"):
        assert part in rule.group(1)
    # a card's title looks like the h1 it was
    assert ".card h1, .card h2.headline { font-size: 20px;" in css
