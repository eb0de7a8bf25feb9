"""A table's action column has a header a screen reader can say (a11y round): not an empty <th>."""

import pytest
from django.test import Client

from civicgrid.conftest import City

pytestmark = pytest.mark.django_db


def test_the_dwellings_action_column_is_named(city: City, client: Client) -> None:
    client.force_login(city.bob)
    body = client.get("/registry/dwellings/").content.decode()
    assert "<th></th>" not in body
    assert '<th><span class="visually-hidden">操作</span></th>' in body
