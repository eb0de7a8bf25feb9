"""The home page's 本月受理 links to the ledger with both ends of the month so far (the 1st
and today), as the overview's card does, so a bookmarked link does not drift into later
months."""

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.requests import services
from civicgrid.requests.home import home_figures
from civicgrid.territory.locator import locator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_locator() -> None:
    locator.invalidate()


def test_the_months_intake_card_gives_both_ends(hotline: Any) -> None:
    services.request_create(actor=hotline.city.olivia, data=hotline.new(title="本月的一件"))
    today = timezone.localdate()
    card = {f.label: f for f in home_figures(hotline.city.dave)}["本月受理"]
    first = today.replace(day=1).isoformat()
    assert card.url == f"/requests/ledger/?received_from={first}&received_to={today.isoformat()}"
    assert card.value == 1
    client = Client()
    client.force_login(hotline.city.dave)
    assert (
        f'href="/requests/ledger/?received_from={first}&amp;received_to={today.isoformat()}"'
        in client.get("/").content.decode()
    )
    listed = client.get(card.url)
    assert listed.status_code == 200 and "本月的一件" in listed.content.decode()
