"""The party import page says what it imported in Chinese, not by the counts' keys."""

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.party.importers import PartyImportKind
from civicgrid.party.models import PartyMember
from civicgrid.party.tests.conftest import PartyWorld
from civicgrid.party.tests.test_imports import MEMBER_HEADER, xlsx

pytestmark = pytest.mark.django_db


def test_the_success_message_names_members_in_chinese(pw: PartyWorld) -> None:
    client = Client()
    client.force_login(pw.city.bob)
    upload = xlsx(MEMBER_HEADER, ["王一", "社区党员", pw.branch.code, "", "", "", "", "", ""])

    response = client.post(reverse("party:data"), {"kind": PartyImportKind.MEMBERS, "file": upload})

    assert response.status_code == 200
    body = response.content.decode()
    assert "（党员 1）" in body and "（members 1）" not in body
    assert PartyMember.objects.filter(name="王一").exists()
