"""The demo's communities have a duty landline, which the doorplate page offers to call."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.conftest import City
from civicgrid.requests.constants import UnitKind
from civicgrid.requests.demo_history.setup import requests_demo_setup
from civicgrid.requests.doorplate import doorplate_token
from civicgrid.requests.models import HandlingUnit

pytestmark = pytest.mark.django_db


def test_community_units_get_a_landline_and_the_doorplate_shows_it(city: City) -> None:
    requests_demo_setup(password="demo-pass-123")
    phones = dict(HandlingUnit.objects.filter(kind=UnitKind.COMMUNITY).values_list("node__code", "phone"))
    assert phones and all(re.fullmatch(r"0510-8\d{7}", phone) for phone in phones.values()), phones
    assert len(set(phones.values())) == len(phones)
    others = HandlingUnit.objects.exclude(kind=UnitKind.COMMUNITY).values_list("phone", flat=True)
    assert set(others) == {""}
    page = (
        Client().get(reverse("requests:doorplate", args=[doorplate_token(city.building_a1)])).content.decode()
    )
    duty = phones[city.comm_a1.code]
    assert f'<a href="tel:{duty}">{duty}</a>' in page
