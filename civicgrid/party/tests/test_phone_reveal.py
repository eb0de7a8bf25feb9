"""Phones are masked in the party pages; staff of the place who may see personal data see
one in full by a POST (查看), each time audited naming whose phone; others are refused and
nothing is written."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.core.errors import PermissionDenied
from civicgrid.core.models import AuditLog
from civicgrid.party import services
from civicgrid.party.constants import Verb
from civicgrid.party.services import phones
from civicgrid.party.tests.conftest import PartyWorld

pytestmark = pytest.mark.django_db


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_a_member_phone_is_revealed_by_post_and_audited(pw: PartyWorld) -> None:
    bob = client_for(pw.city.bob)
    url = reverse("party:member_phone", args=[pw.zhang.pk])
    page = bob.get(reverse("party:member", args=[pw.zhang.pk])).content.decode()
    assert "13800001111" not in page and url in page
    assert bob.get(url).status_code == 405
    response = bob.post(url)
    assert response.status_code == 200 and "13800001111" in response.content.decode()
    row = AuditLog.objects.get(verb=Verb.MEMBER_PHONE_VIEWED)
    assert row.target_id == str(pw.zhang.pk) and row.after is not None
    assert row.after["member"] == pw.zhang.name and row.after["fields"] == ["phone"]
    # the not-reported list of the reporting page offers it too
    assert url in bob.get(reverse("party:reporting")).content.decode()


def test_the_outsider_and_the_member_see_no_phone(pw: PartyWorld) -> None:
    audits = AuditLog.objects.count()
    with pytest.raises(PermissionDenied):
        phones.member_phone_reveal(actor=pw.city.carol, member=pw.zhang)
    url = reverse("party:member_phone", args=[pw.zhang.pk])
    assert client_for(pw.city.carol).post(url).status_code == 404
    response = client_for(pw.zhang_user).post(url)
    assert response.status_code in (403, 404) and "13800001111" not in response.content.decode()
    assert AuditLog.objects.count() == audits


def test_an_agreement_contact_phone_is_revealed_and_audited(pw: PartyWorld) -> None:
    agreement = services.agreement_sign(
        actor=pw.city.bob,
        unit=pw.tax,
        node=pw.city.comm_a1,
        signed_on=date.today(),
        pledges_text="每季度开展一次共建活动",
        contact_name="钱联络",
        contact_phone="13900002222",
    )
    bob = client_for(pw.city.bob)
    url = reverse("party:agreement_phone", args=[agreement.pk])
    page = bob.get(reverse("party:agreement", args=[agreement.pk])).content.decode()
    assert "13900002222" not in page and url in page
    assert "13900002222" in bob.post(url).content.decode()
    row = AuditLog.objects.get(verb=Verb.AGREEMENT_PHONE_VIEWED)
    assert row.after is not None and row.after["contact"] == "钱联络"
    with pytest.raises(PermissionDenied):
        phones.agreement_phone_reveal(actor=pw.city.carol, agreement=agreement)
    assert AuditLog.objects.filter(verb=Verb.AGREEMENT_PHONE_VIEWED).count() == 1
