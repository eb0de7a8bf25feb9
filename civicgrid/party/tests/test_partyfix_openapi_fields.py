"""The party's request bodies tell an integrator what to send (OpenAPI titles and descriptions).

An outside integrator found fields titled only by pydantic's English ("Source", "Category")
with no description, and fields taking a fixed set of values that did not list them. Every
property of every body the party's operations take (and of the objects nested in them) now
has a Chinese title (also the name a 422 gives the field) and a description; the values of a
choice come from its ``TextChoices``.
"""

import json

import pytest
from django.test import Client

from civicgrid.core.tests.openapi_bodies import assert_lists, body_problems, body_schemas, document
from civicgrid.party.constants import CommitteeSource, NeedCategory, NeedSource, OrgKind, ServiceType
from civicgrid.party.tests.conftest import PartyWorld, counts

pytestmark = pytest.mark.django_db
PREFIX = "/api/v1/party/"


def test_every_body_field_has_a_chinese_title_and_a_description(client: Client) -> None:
    schemas = body_schemas(document(client), PREFIX)
    # the bodies of the integrator's report, and the nested rows of a meeting
    assert {
        "NeedIn",
        "SeatIn",
        "OrgIn",
        "PartyMemberIn",
        "AgreementIn",
        "AttendanceIn",
        "PartyTaskIn",
    } <= set(schemas)
    assert not body_problems(schemas), "\n".join(body_problems(schemas))


def test_fields_of_fixed_values_list_them_from_their_choices(client: Client) -> None:
    components = document(client)["components"]["schemas"]
    for schema, field, choices in (
        ("NeedIn", "category", NeedCategory),
        ("NeedIn", "source", NeedSource),
        ("SeatIn", "source", CommitteeSource),
        ("OrgIn", "kind", OrgKind),
        ("MyReportIn", "service_types", ServiceType),
    ):
        assert_lists(components[schema]["properties"][field]["description"], choices)
    assert components["NeedIn"]["properties"]["source"]["title"] == "来源"  # not pydantic's "Source"


def test_a_refused_body_names_the_field_by_its_title(pw: PartyWorld) -> None:
    client = Client()
    client.force_login(pw.city.bob)
    before = counts()
    body = {"node_id": pw.city.grid_a1_1.pk, "title": "楼道照明", "category": "elderly"}  # no source
    response = client.post(PREFIX + "needs", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert "source" in response.json()["detail"]
    assert "来源" in response.json()["message"]  # the title, translated by the 422 handler
    assert counts() == before
