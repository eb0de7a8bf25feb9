"""An act through an API token says so in its audit row (经由令牌 <name>（<prefix>…）), on the
audit page and in its export; the same act from a page session says nothing of the kind."""

import pytest
from django.test import Client

from civicgrid.accounts.services import api_token_create
from civicgrid.core.models import AuditLog
from civicgrid.registry.constants import Verb
from civicgrid.registry.tests.factories import World

pytestmark = pytest.mark.django_db


def test_a_reveal_through_a_token_names_the_token(world: World) -> None:
    token, key = api_token_create(actor=None, system=True, user=world.city.bob, name="网格通对接")
    url = f"/api/v1/registry/residents/{world.resident_a.pk}/reveal"
    response = Client().post(url, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    row = AuditLog.objects.get(verb=Verb.RESIDENT_PII_VIEWED)
    assert row.actor_id == world.city.bob.pk
    assert row.via == f"令牌 网格通对接（{token.prefix}…）"
    session = Client()
    session.force_login(world.city.bob)
    assert session.post(url).status_code == 200
    latest = AuditLog.objects.filter(verb=Verb.RESIDENT_PII_VIEWED).latest("id")
    assert latest.via is None
    auditor = Client()
    auditor.force_login(world.city.auditor)
    page = auditor.get("/audit/", {"verb": Verb.RESIDENT_PII_VIEWED}).content.decode()
    assert f"经由令牌 网格通对接（{token.prefix}…）" in page
