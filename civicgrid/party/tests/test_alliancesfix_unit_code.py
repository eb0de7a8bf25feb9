"""Digits typed in the credit-code box are a credit code, never a unit's id."""

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.party import services
from civicgrid.party.models import AllianceMember
from civicgrid.party.tests.conftest import PartyWorld
from civicgrid.party.views.common import find_unit

pytestmark = pytest.mark.django_db


def _join(client: Client, alliance_pk: int, **fields: str) -> str:
    response = client.post(
        reverse("party:alliance_act", args=[alliance_pk]),
        {"action": "join", "joined_on": "2026-01-05", **fields},
        follow=True,
    )
    return response.content.decode()


def test_a_unit_id_typed_as_a_credit_code_adds_nobody(pw: PartyWorld) -> None:
    c = pw.city
    alliance = services.alliance_create(actor=c.bob, node=c.comm_a1, name="胜利门红色联盟")
    client = Client()
    client.force_login(c.bob)
    page = _join(client, alliance.pk, unit_code=str(pw.tax.pk))
    assert "统一社会信用代码应为18位" in page
    assert not AllianceMember.objects.filter(alliance=alliance).exists()
    # an 18-character code nobody has is named as such
    page = _join(client, alliance.pk, unit_code="9" * 18)
    assert "未找到统一社会信用代码为999999999999999999的单位" in page
    assert not AllianceMember.objects.filter(alliance=alliance).exists()
    # the drop-down posts the id in its own field, and that still works
    _join(client, alliance.pk, unit=str(pw.tax.pk))
    assert AllianceMember.objects.filter(alliance=alliance, unit=pw.tax).exists()


def test_find_unit_reads_typed_digits_as_a_code(pw: PartyWorld) -> None:
    from civicgrid.core.errors import ValidationError

    with pytest.raises(ValidationError) as caught:
        find_unit(pw.city.bob, str(pw.tax.pk), "unit_code")
    assert "unit_code" in caught.value.errors
    assert find_unit(pw.city.bob, pw.tax.credit_code) == pw.tax
    assert find_unit(pw.city.bob, "梁溪区税务局") == pw.tax
