"""The console offers each person the channels they take requests on (outside tester: a grid
worker could file on the console as 12345热线 or 领导留言板, which skews the channel figures):
the hotline centre every console channel; a grid worker 网格员上报; a community worker
民声总台（来访）. Another channel posted by hand is refused naming the field, and nothing is filed."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.requests.models import Request
from civicgrid.requests.tests.test_pages import CONSOLE, console_post, login, page

pytestmark = pytest.mark.django_db


def _offered(html: str) -> set[str]:
    select = html.split('name="channel"', 1)[1].split("</select>", 1)[0]
    return {part.split('"', 1)[0] for part in select.split('value="')[1:]}


def test_the_operator_has_every_console_channel(client: Client, hotline: Any) -> None:
    login(client, hotline.city.olivia)
    assert _offered(page(client.get(CONSOLE))) == {
        "hotline", "walk_in", "message_board", "enterprise_hotline", "grid_worker",
    }  # fmt: skip


def test_a_grid_worker_files_as_a_grid_worker_report_only(client: Client, hotline: Any) -> None:
    login(client, hotline.city.alice)
    assert _offered(page(client.get(CONSOLE))) == {"grid_worker"}
    refused = client.post(CONSOLE, console_post(hotline, channel="hotline"))
    assert refused.status_code == 422 and "渠道" in page(refused)
    assert not Request.objects.exists()
    client.post(CONSOLE, console_post(hotline, channel="grid_worker"))
    assert Request.objects.get().channel == "grid_worker"


def test_a_community_worker_records_a_visit(client: Client, hotline: Any) -> None:
    login(client, hotline.city.bob)
    assert _offered(page(client.get(CONSOLE))) == {"walk_in"}
