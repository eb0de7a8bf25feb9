"""One caller-history lookup is one audit row and one charge: the console sends it once per
value (``input changed``), and the same number again within a minute is not audited again."""

import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

from django.test import Client, override_settings
from django.utils import timezone

from civicgrid.core.models import AuditLog
from civicgrid.requests import ledger, services
from civicgrid.requests.ledger import CALLER_HISTORY_VIEWED, CALLER_REPEAT_SECONDS

URL = "/requests/console/history/"
CONSOLE = Path(__file__).resolve().parents[1] / "templates" / "requests" / "console.html"


def _rows() -> Any:
    return AuditLog.objects.filter(verb=CALLER_HISTORY_VIEWED)


def test_the_console_asks_once_per_value() -> None:
    html = CONSOLE.read_text()
    phone = re.search(r'<input type="tel" name="requester_phone".*?>', html, re.S)
    assert phone is not None
    trigger = re.search(r'hx-trigger="([^"]*)"', phone.group(0))
    assert trigger is not None
    events = [part.split()[0] for part in trigger.group(1).split(",")]
    # keyup and blur were two events, each with its own "changed": typing then Tab sent twice
    assert events == ["load", "input"], events
    assert 'hx-sync="this:replace"' in phone.group(0)


def test_the_same_number_twice_is_one_audited_lookup(client: Client, hotline: Any) -> None:
    earlier = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    client.force_login(hotline.city.olivia)
    first = client.get(URL, {"requester_phone": "13812345678"})
    again = client.get(URL, {"requester_phone": "+86 138-1234-5678"})  # the same number, as typed
    assert earlier.number in first.content.decode() and earlier.number in again.content.decode()
    assert _rows().count() == 1
    row = _rows().get()
    assert row.after["phone"] == "138****5678" and row.after["hits"] == 1
    assert "13812345678" not in str(row.after)
    # another number with the same mask is another lookup: audited
    client.get(URL, {"requester_phone": "13899995678"})
    assert _rows().count() == 2
    assert len({r.after["phone_key"] for r in _rows()}) == 2


def test_after_a_minute_the_same_number_is_audited_again(client: Client, hotline: Any) -> None:
    client.force_login(hotline.city.olivia)
    client.get(URL, {"requester_phone": "13812345678"})
    later = timezone.now() + timedelta(seconds=CALLER_REPEAT_SECONDS + 1)
    with mock.patch("civicgrid.requests.ledger.timezone.now", return_value=later):
        client.get(URL, {"requester_phone": "13812345678"})
    assert _rows().count() == 2


def test_another_user_looking_up_the_number_is_audited(client: Client, hotline: Any) -> None:
    client.force_login(hotline.city.olivia)
    client.get(URL, {"requester_phone": "13812345678"})
    ledger.caller_history_checked(actor=hotline.city.dave, phone="13812345678", rows=list)
    assert _rows().count() == 2


@override_settings(REQUESTS_CALLER_HISTORY_LIMIT=2)
def test_a_repeat_is_not_charged(client: Client, hotline: Any) -> None:
    client.force_login(hotline.city.olivia)
    for _ in range(4):  # typing, leaving the field, coming back: one lookup
        assert client.get(URL, {"requester_phone": "13812345678"}).status_code == 200
    assert client.get(URL, {"requester_phone": "13900000001"}).status_code == 200
    assert client.get(URL, {"requester_phone": "13900000002"}).status_code == 429
    assert _rows().count() == 2
