"""The versions table's action column has a header a screen reader can say (a11y round)."""

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.requests.tests.conftest import Hotline

pytestmark = pytest.mark.django_db


def test_the_versions_action_column_is_named(hotline: Hotline) -> None:
    client = Client()
    client.force_login(hotline.city.sysadmin)
    body = client.get(reverse("classifier:versions")).content.decode()
    assert "<th></th>" not in body
    assert '<th><span class="visually-hidden">操作</span></th>' in body
