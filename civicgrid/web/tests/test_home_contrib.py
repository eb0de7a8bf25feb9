"""The home page: a resident's own account goes to the resident H5; apps' figures and menus show."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.registry import services as registry
from civicgrid.web.contrib import app_menus, demo_seeders
from civicgrid.web.menu import menu_for

pytestmark = pytest.mark.django_db


def test_a_resident_account_lands_on_the_resident_h5(client: Client, city: Any) -> None:
    resident = registry.resident_create(actor=city.bob, node=city.building_a1, name="王阿姨")
    user = registry.resident_account_open(
        actor=city.bob, resident=resident, username="wang", password="pw-123456"
    )
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/volunteers/")


def test_staff_still_get_their_home_with_the_apps_menus(client: Client, city: Any) -> None:
    client.force_login(city.bob)
    assert client.get("/").status_code == 200
    labels = {item["label"] for item in menu_for(city.bob)}
    app_labels = {label for label, _, _ in app_menus()}
    assert labels & app_labels  # the community worker sees some app pages (volunteers, grid work…)
    assert {label for label, _ in demo_seeders()} >= {"gridwork", "volunteers"}
