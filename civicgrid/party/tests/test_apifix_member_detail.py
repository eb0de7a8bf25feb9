"""The member's API record says whether they reported, as the list does; a visit refused for a
member not registered as needy names the request's own field."""

from datetime import date

import pytest
from django.test import Client

from civicgrid.party import services
from civicgrid.party.constants import ServiceType
from civicgrid.party.tests.conftest import PartyWorld

pytestmark = pytest.mark.django_db


def test_the_detail_says_reported_as_the_list_does(pw: PartyWorld) -> None:
    client = Client()
    client.force_login(pw.city.bob)
    url = f"/api/v1/party/members/{pw.zhang.pk}"
    assert client.get(url).json()["reported"] is False
    report = services.member_report_submit(
        actor=pw.zhang_user, member=pw.zhang, pledge_list=["助老"], service_type_list=[ServiceType.ELDERLY]
    )
    services.member_report_confirm(actor=pw.city.bob, report=report)
    assert client.get(url).json()["reported"] is True
    listed = client.get("/api/v1/party/members", {"q": pw.zhang.name}).json()["results"]
    assert [m["reported"] for m in listed if m["id"] == pw.zhang.pk] == [True]


def test_a_visit_to_a_member_not_needy_is_keyed_by_a_request_field(pw: PartyWorld) -> None:
    client = Client()
    client.force_login(pw.city.bob)
    response = client.post(
        f"/api/v1/party/members/{pw.zhang.pk}/visits",
        {"visited_on": date.today().isoformat(), "content": "走访"},
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert "member" not in body["detail"] and "困难党员" in body["detail"]["member_id"][0]
