"""The triage queue's API refuses those the triage page refuses (403 with the reason), as
the callback queue's does, instead of an empty list that reads as "nothing to dispatch"."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.requests import services
from civicgrid.requests.tests.test_api import BASE, Caller

pytestmark = pytest.mark.django_db


def _untriaged(hotline: Any) -> int:
    data = hotline.new(category=None, title="路口积水", content="路口积水，行人无法通行")
    return services.request_create(actor=hotline.city.olivia, data=data).pk


@pytest.mark.parametrize("who", ["hank", "dave", "carol", "sysadmin"])
def test_the_triage_api_refuses_those_the_page_refuses(hotline: Any, who: str) -> None:
    _untriaged(hotline)
    user = getattr(hotline, who, None) or getattr(hotline.city, who)
    client = Client()
    client.force_login(user)
    assert client.get("/requests/triage/").status_code == 403
    # An administrator holds no API token: the session, as the pages.
    api = client.get(f"{BASE}/triage") if who == "sysadmin" else Caller(user).get("/triage")
    assert api.status_code == 403 and "无权" in api.json()["message"]


def test_the_dispatcher_gets_the_queue(hotline: Any) -> None:
    pk = _untriaged(hotline)
    got = Caller(hotline.city.olivia).get("/triage")
    assert got.status_code == 200 and pk in [r["id"] for r in got.json()["results"]]
