"""A requester's phone in any common form is taken and kept in one form."""

from typing import Any

import pytest

from civicgrid.core import crypto
from civicgrid.core.errors import ValidationError
from civicgrid.requests import selectors, services
from civicgrid.territory.locator import locator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_locator() -> None:
    locator.invalidate()


@pytest.mark.parametrize(
    "typed", ["+86 138 1234 5678", "138-1234-5678", "86-13812345678", "１３８１２３４５６７８"]
)
def test_an_intake_keeps_the_canonical_phone(hotline: Any, typed: str) -> None:
    created = services.request_create(actor=hotline.city.olivia, data=hotline.new(requester_phone=typed))
    assert crypto.decrypt(created.requester_phone_enc) == "13812345678"
    assert created.requester_phone_masked == "138****5678"
    assert created.requester_phone_hash == crypto.blind_index("13812345678")
    assert list(selectors.caller_history(hotline.city.olivia, "13812345678")) == [created]


def test_a_landline_with_its_area_code_in_brackets(hotline: Any) -> None:
    created = services.request_create(
        actor=hotline.city.olivia, data=hotline.new(requester_phone="(0510)82345678")
    )
    assert crypto.decrypt(created.requester_phone_enc) == "0510-82345678"


def test_a_number_that_is_no_phone_is_refused_by_name(hotline: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.request_create(actor=hotline.city.olivia, data=hotline.new(requester_phone="138-12ab"))
    assert "requester_phone" in refused.value.errors


def test_the_api_track_finds_it_however_the_phone_is_typed(hotline: Any) -> None:
    from django.test import Client

    created = services.request_create(
        actor=hotline.city.olivia, data=hotline.new(requester_phone="13812345678")
    )
    found = Client().get("/api/v1/requests/track", {"number": created.number, "phone": "+86 138-1234-5678"})
    assert found.status_code == 200 and found.json()["number"] == created.number


def test_the_caller_history_and_the_h5_track_find_it_however_the_phone_is_typed(hotline: Any) -> None:
    from django.test import Client

    created = services.request_create(
        actor=hotline.city.olivia, data=hotline.new(requester_phone="13812345678")
    )
    assert list(selectors.caller_history(hotline.city.olivia, "+86 138 1234 5678")) == [created]
    page = Client().post("/requests/h5/track/", {"number": created.number, "phone": "138-1234-5678"})
    assert page.status_code == 200 and created.number in page.content.decode()
