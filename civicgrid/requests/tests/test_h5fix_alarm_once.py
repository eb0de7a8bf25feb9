"""一键报警 files one emergency per tap (outside tester): without a phone, 确认报警, Back and
确认报警 again filed a second one (each load of the page has a fresh one-time token); with a
phone, six forms posted at the same moment filed two (the 10-minute same-phone check was
read, then written, without a lock)."""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.requests.constants import RequestType
from civicgrid.requests.doorplate import doorplate_token
from civicgrid.requests.models import Request
from civicgrid.territory.tests.threads import postgres_only, run_at_once

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def _alarms() -> int:
    return Request.objects.filter(type=RequestType.EMERGENCY).count()


def _form(client: Client, url: str) -> dict[str, str]:
    """The confirm step as a browser loads it: a fresh one-time token each time."""
    page = client.get(url).content.decode()
    token = re.search(r'name="once_token" value="([0-9a-f]{32})"', page)
    assert token is not None
    return {"confirm": "1", "once_token": token.group(1)}


def test_back_and_confirm_again_without_a_phone_shows_the_first_alarm(client: Client, hotline: Any) -> None:
    url = reverse("requests:doorplate_alarm", args=[doorplate_token(hotline.city.building_a1)])
    first = client.post(url, _form(client, url), follow=True).content.decode()
    assert _alarms() == 1
    number = Request.objects.get().number
    assert number in first
    again = client.post(url, _form(client, url), follow=True)  # Back: the page reloaded
    assert _alarms() == 1
    assert number in again.content.decode()
    # Another resident's phone (another browser) raising an alarm there is filed.
    other = Client()
    other.post(url, _form(other, url))
    assert _alarms() == 2


def test_the_same_browser_at_another_building_files_its_alarm(client: Client, hotline: Any) -> None:
    here = reverse("requests:doorplate_alarm", args=[doorplate_token(hotline.city.building_a1)])
    there = reverse("requests:doorplate_alarm", args=[doorplate_token(hotline.city.building_b1)])
    client.post(here, _form(client, here))
    client.post(there, _form(client, there))
    assert _alarms() == 2


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_six_alarm_forms_with_one_phone_at_once_file_one_emergency(hotline: Any) -> None:
    url = reverse("requests:doorplate_alarm", args=[doorplate_token(hotline.city.building_a1)])
    clients = [Client() for _ in range(6)]
    forms = [_form(c, url) | {"phone": "13912345678"} for c in clients]
    answers = run_at_once(
        *[lambda c=c, f=f: c.post(url, f) for c, f in zip(clients, forms, strict=True)], stagger=0.005
    )
    assert [a.status_code for a in answers] == [302] * 6, answers
    assert _alarms() == 1
