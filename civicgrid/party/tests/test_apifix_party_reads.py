"""The party's API reads say why a caller without the party's rights gets nothing (403), as the
party pages do, so that the 403 its OpenAPI document names is an answer the calls really give.

They used to answer 200 with an empty list (or a zero figure) to the hotline operator, who
has no party capability anywhere; a party member signed in as themself still reads their own
record (``/members/{id}``) and their own calls (``/me``).
"""

import pytest
from django.test import Client

from civicgrid.accounts.models import User
from civicgrid.party.tests.conftest import PartyWorld

pytestmark = pytest.mark.django_db

READS = (
    "/api/v1/party/committees",
    "/api/v1/party/alliances",
    "/api/v1/party/needs",
    "/api/v1/party/resources",
    "/api/v1/party/projects",
    "/api/v1/party/figures",
    "/api/v1/party/organisations",
    "/api/v1/party/members",
    "/api/v1/party/reports",
    "/api/v1/party/rates",
    "/api/v1/party/rates/not-reported",
    "/api/v1/party/agreements",
)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_caller_without_the_partys_rights_is_refused_with_403(pw: PartyWorld) -> None:
    operator = client_for(pw.city.olivia)  # hotline operator: no party capability
    reads = [
        *READS,
        f"/api/v1/party/organisations/{pw.committee.pk}",
        f"/api/v1/party/committees/{pw.committee.pk}/meetings",
        f"/api/v1/party/hubs/{pw.hub.pk}/links",
        f"/api/v1/party/members/{pw.liu.pk}",
    ]
    for path in reads:
        response = operator.get(path)
        assert response.status_code == 403, (path, response.status_code, response.content[:200])
        assert response.json()["code"] == "forbidden", path


def test_the_partys_own_staff_still_read(pw: PartyWorld) -> None:
    bob = client_for(pw.city.bob)
    for path in READS:
        assert bob.get(path).status_code == 200, path
    names = [row["name"] for row in bob.get("/api/v1/party/committees").json()]
    assert "胜利门社区大党委" in names


def test_a_member_reads_their_own_record_and_calls(pw: PartyWorld) -> None:
    zhang = client_for(pw.zhang_user)  # a resident account: no party capability
    assert zhang.get(f"/api/v1/party/members/{pw.zhang.pk}").json()["id"] == pw.zhang.pk
    assert zhang.get("/api/v1/party/me").status_code == 200
    assert zhang.get(f"/api/v1/party/members/{pw.liu.pk}").status_code == 404  # another's: unknown
    assert zhang.get("/api/v1/party/members").status_code == 403
