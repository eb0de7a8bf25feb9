"""Open311 tests run on the hotline of the request tests (units, catalogue, rules, people)."""

from typing import Any

import pytest

from civicgrid.accounts.services import api_token_create
from civicgrid.requests.tests.conftest import Hotline, hotline

__all__ = ["Hotline", "filing_fields", "hotline", "on_site"]


def filing_fields(api_key: str, **kw: str) -> dict[str, str]:
    """A valid ``POST requests.json`` form (water outage at 胜利门, with a phone), ``kw`` added
    or replacing fields."""
    return {
        "api_key": api_key,
        "service_code": "030101",
        "lat": "31.575",
        "long": "120.305",
        "description": "胜利门1号楼全楼停水一天了",
        "phone": "13812345678",
        **kw,
    }


@pytest.fixture(autouse=True)
def public_view(settings: Any) -> None:
    """Most tests here read the public view, which a deployment turns on
    (``CIVICGRID_OPEN311_PUBLIC``); the tests of it being off set it back."""
    settings.OPEN311_PUBLIC_VIEW = True


def on_site(category: Any) -> None:
    """Mark ``category`` as a physical thing checked on site: the public view lists it."""
    type(category).objects.filter(pk=category.pk).update(needs_verification=True)


@pytest.fixture
def api_key(hotline: Hotline) -> str:
    """A system's API key (token) filing as the hotline's operator."""
    _, raw = api_token_create(actor=None, system=True, user=hotline.city.olivia, name="Open311 客户端")
    return raw
