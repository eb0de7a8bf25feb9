"""Words typed in the console's category box without a pick (no JavaScript, or Enter pressed
first) are not dropped (an outside tester: "dtgz" filed the call uncategorised, silently):
one matching leaf is taken; none, or several, refuse the form on 分类 with the words kept."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.requests.models import Request
from civicgrid.requests.tests.test_pages import CONSOLE, console_post, login, page
from civicgrid.territory.locator import locator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_locator() -> None:
    locator.invalidate()


def test_one_matching_leaf_is_taken(client: Client, hotline: Any) -> None:
    login(client, hotline.city.olivia)
    html = page(client.post(CONSOLE, console_post(hotline, category="", category_q="dtgz"), follow=True))
    assert Request.objects.get().category == hotline.lift
    assert f"分类：{hotline.lift.full_name}" in html  # the result says which one was taken


@pytest.mark.parametrize(
    ("words", "reason"),
    [
        ("zzzz", "没有与“zzzz”匹配的分类"),
        ("0", "“0”匹配多个分类，请从列表中选择一个"),  # a code prefix every leaf shares
    ],
)
def test_no_match_or_many_refuse_the_call_on_the_category(
    client: Client, hotline: Any, words: str, reason: str
) -> None:
    login(client, hotline.city.olivia)
    response = client.post(CONSOLE, console_post(hotline, category="", category_q=words))
    html = page(response)
    assert response.status_code == 422 and reason in html
    assert f'name="category_q" value="{words}"' in html
    assert not Request.objects.exists()


def test_a_pick_wins_over_words_left_in_the_box(client: Client, hotline: Any) -> None:
    login(client, hotline.city.olivia)
    client.post(CONSOLE, console_post(hotline, category_q="zzzz"), follow=True)
    assert Request.objects.get().category == hotline.lift
