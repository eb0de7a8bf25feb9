"""The company's page shows its contact person, phone (masked) and address: a community worker
cannot open the company in the registry (it is registered at the district), so this page is
where they find whom to call. The full phone is behind the registry's audited reveal, offered
only to those who may reveal where the company is registered."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.core import crypto
from civicgrid.property.tests.conftest import World
from civicgrid.registry.models import Organisation

pytestmark = pytest.mark.django_db


def page(user: Any, world: World) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/property/companies/{world.lvcheng.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_company_page_shows_its_contact_masked(world: World) -> None:
    world.start()  # serves 胜利门花园, bob's community
    Organisation.objects.filter(pk=world.lvcheng.pk).update(
        contact_name="刘经理",
        address="梁溪区中山路1号",
        contact_phone_enc=crypto.encrypt("13912345678"),
        contact_phone_masked=crypto.mask_phone("13912345678"),
    )
    html = page(world.city.bob, world)
    assert "刘经理" in html and "梁溪区中山路1号" in html and "139****5678" in html
    assert "13912345678" not in html
    assert "organisations/" not in html.split("联系方式", 1)[1].split("</table>", 1)[0]  # no reveal here


def test_a_company_without_contact_says_so(world: World) -> None:
    html = page(world.city.dave, world)
    assert "联系方式" in html and "联系人" in html
