"""The console files one request per form (a resent submit shows the first), and asks before
filing the same caller's same call at the same place again within minutes."""

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from civicgrid.requests.models import Request
from civicgrid.requests.tests.test_pages import CONSOLE, console_post

pytestmark = pytest.mark.django_db


def _token(client: Client) -> str:
    page = client.get(CONSOLE).content.decode()
    found = re.search(r'name="once_token" value="([0-9a-f]{32})"', page)
    assert found, "the console form carries a one-time token"
    return found.group(1)


def test_a_resent_console_form_files_once_and_shows_the_first(client: Client, hotline: Any) -> None:
    client.force_login(hotline.city.olivia)
    data = console_post(hotline, once_token=_token(client))
    first = client.post(CONSOLE, data)
    assert first.status_code == 302
    created = Request.objects.get()
    assert first["Location"].endswith(f"?created={created.pk}")
    for _ in range(2):
        again = client.post(CONSOLE, data)
        assert again.status_code == 302 and again["Location"].endswith(f"?created={created.pk}")
    assert Request.objects.count() == 1
    cache.clear()  # another worker: found again by what was sent
    again = client.post(CONSOLE, data)
    assert again["Location"].endswith(f"?created={created.pk}") and Request.objects.count() == 1


def test_the_same_call_again_within_minutes_asks_first(client: Client, hotline: Any) -> None:
    client.force_login(hotline.city.olivia)
    client.post(CONSOLE, console_post(hotline, once_token=_token(client)))
    first = Request.objects.get()
    # a second operator, another form: same phone, same place, nearly the same words
    other = Client()
    other.force_login(hotline.city.olivia)
    data = console_post(hotline, once_token=_token(other), content="3号楼电梯坏了没人修！！")
    asked = other.post(CONSOLE, data)
    assert asked.status_code == 422
    page = asked.content.decode()
    assert first.number in page and "确认仍要新建" in page and f'name="follow" value="{first.pk}"' in page
    assert Request.objects.count() == 1
    confirmed = other.post(CONSOLE, {**data, "once_token": _token(other), "confirm_new": "1"})
    assert confirmed.status_code == 302 and Request.objects.count() == 2


def test_another_caller_or_other_words_file_without_asking(client: Client, hotline: Any) -> None:
    client.force_login(hotline.city.olivia)
    client.post(CONSOLE, console_post(hotline))
    assert client.post(CONSOLE, console_post(hotline, requester_phone="13900001111")).status_code == 302
    other = console_post(hotline, title="路灯不亮", content="小区门口路灯坏了一周")
    assert client.post(CONSOLE, other).status_code == 302
    assert Request.objects.count() == 3
