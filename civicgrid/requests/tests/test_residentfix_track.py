"""The track page (outside tester): a number typed without its hyphen or in full-width digits
is found; the failed-lookup budget is per (address, number), so one guesser behind a carrier's
NAT does not block everyone, while guessing one number's phone stays bounded; the refusal
words the wait from the window; the phone field brings up the phone keypad."""

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from civicgrid.requests.selectors import normalise_number
from civicgrid.requests.tests.test_resident import PHONE, served
from civicgrid.requests.views.resident import TrackForm

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def _track(client: Client, number: str, phone: str = PHONE, **extra: Any) -> Any:
    return client.post(reverse("requests:h5_track"), {"number": number, "phone": phone}, **extra)


def test_numbers_as_typed_on_a_phone_are_normalised() -> None:
    assert normalise_number("20261125000023") == "20261125-000023"
    assert normalise_number("２０２６１１２５００００２３") == "20261125-000023"
    assert normalise_number(" 20261125－000023 ") == "20261125-000023"
    assert normalise_number("20261125-000023") == "20261125-000023"


def test_a_number_without_its_hyphen_is_found(hotline: Any, client: Client) -> None:
    request = served(hotline)
    for typed in (
        request.number.replace("-", ""),
        request.number.translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"}),
    ):
        response = _track(client, typed)
        assert response.status_code == 200, typed
        assert "已答复，请您评价" in response.content.decode()


def test_one_guesser_behind_a_shared_address_blocks_only_that_number(
    hotline: Any, client: Client, settings: Any
) -> None:
    settings.REQUESTS_H5_TRACK_LIMIT = 2
    settings.REQUESTS_H5_WINDOW_SECONDS = 1800
    mine, guessed = served(hotline), served(hotline)
    for _ in range(2):
        assert _track(client, guessed.number, "13700000000").status_code == 404
    refused = _track(client, guessed.number, PHONE)  # even the right phone: no more guesses
    assert refused.status_code == 429
    assert (
        "查询次数过多，请30分钟后再试" in refused.content.decode()
        and "一小时" not in refused.content.decode()
    )
    neighbour = Client()  # same address (the test client's), another number
    assert _track(neighbour, mine.number).status_code == 200


def test_the_address_and_the_number_have_caps_of_their_own(
    hotline: Any, client: Client, settings: Any
) -> None:
    settings.REQUESTS_H5_TRACK_IP_LIMIT = 3
    settings.REQUESTS_H5_TRACK_NUMBER_LIMIT = 4
    request = served(hotline)
    for n in range(3):  # three unknown numbers from one address
        _track(client, f"20990101-00000{n}")
    assert _track(client, request.number).status_code == 429
    cache.clear()
    for n in range(4):  # many addresses guessing one number's phone
        _track(client, request.number, f"1370000000{n}", REMOTE_ADDR=f"10.0.0.{n}")
    # The number's budget is spent: the requester is still answered from an address that has
    # not been guessing it, while one that missed it a few times is refused.
    assert _track(client, request.number, REMOTE_ADDR="10.0.1.1").status_code == 200
    for _ in range(2):
        _track(client, request.number, "13700000009", REMOTE_ADDR="10.0.0.0")
    assert _track(client, request.number, REMOTE_ADDR="10.0.0.0").status_code == 429


def test_the_phone_field_brings_up_the_phone_keypad(client: Client) -> None:
    assert TrackForm().fields["phone"].widget.attrs["inputmode"] == "tel"
    page = client.get(reverse("requests:h5_track")).content.decode()
    assert 'inputmode="tel"' in page
