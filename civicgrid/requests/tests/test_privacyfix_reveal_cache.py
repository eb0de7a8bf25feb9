"""The revealed name and phone of a requester are sent ``Cache-Control: no-store``."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.requests import services

pytestmark = pytest.mark.django_db


def test_the_revealed_requester_is_not_cached(client: Client, hotline: Any) -> None:
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    client.force_login(hotline.city.olivia)
    response = client.post(f"/requests/{r.pk}/reveal/")
    assert response.status_code == 200 and "13812345678" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
