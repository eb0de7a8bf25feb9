"""The need page's project form (立项) keeps what was typed when refused (422)."""

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.party import services
from civicgrid.party.constants import NeedCategory, NeedSource
from civicgrid.party.models import Project
from civicgrid.party.tests.conftest import PartyWorld

pytestmark = pytest.mark.django_db


def test_a_refused_project_keeps_title_and_owner(pw: PartyWorld) -> None:
    need = services.need_create(
        actor=pw.city.bob,
        node=pw.city.grid_a1_1,
        data=services.NeedIn(title="灯坏", category=NeedCategory.FACILITIES, source=NeedSource.RESIDENT),
    )
    client = Client()
    client.force_login(pw.city.bob)
    response = client.post(
        reverse("party:need_act", args=[need.pk]),
        {"action": "project", "title": "加装声控灯", "owner_name": "钱主任", "budget": "-1"},
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert 'value="加装声控灯"' in body and 'value="钱主任"' in body and 'value="-1"' in body
    assert not Project.objects.exists()
