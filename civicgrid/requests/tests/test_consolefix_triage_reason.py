"""The console says why a request went to triage: with a category but no point nor building
the rules that dispatch by place had nothing to go by (an outside tester read "没有匹配的派单
规则" and looked for a missing rule), without a category that none was chosen."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.requests.constants import Status
from civicgrid.requests.models import Request
from civicgrid.requests.tests.test_pages import CONSOLE, console_post, login, page
from civicgrid.territory.locator import locator

pytestmark = pytest.mark.django_db

UNPLACED = "未选楼栋、未标注坐标，按属地派单的规则无法匹配"


@pytest.fixture(autouse=True)
def _fresh_locator() -> None:
    locator.invalidate()


def test_a_category_without_a_place_says_the_place_is_missing(client: Client, hotline: Any) -> None:
    login(client, hotline.city.olivia)
    html = page(client.post(CONSOLE, console_post(hotline, lon="", lat=""), follow=True))
    assert Request.objects.get().status == Status.RECEIVED
    assert UNPLACED in html and "未选分类" not in html


def test_no_category_says_so_and_a_placed_request_is_dispatched(client: Client, hotline: Any) -> None:
    login(client, hotline.city.olivia)
    html = page(client.post(CONSOLE, console_post(hotline, category=""), follow=True))
    assert "未选分类" in html and UNPLACED not in html
    again = console_post(hotline, title="电梯又停了", requester_phone="13912345678", content="5号楼电梯停了")
    html = page(client.post(CONSOLE, again, follow=True))
    placed = Request.objects.get(title="电梯又停了")
    assert placed.status == Status.DISPATCHED and UNPLACED not in html
