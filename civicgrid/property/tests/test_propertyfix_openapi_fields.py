"""The property API's bodies tell an integrator what to send (OpenAPI titles and descriptions).

Every property of every body the property operations take (with the inspection's nested items)
has a Chinese title (the name a 422 gives the field) and a description; the values of a choice
(exit and leaving reasons, posts, the negative list, the checklist) come from its ``TextChoices``.
"""

from typing import Any

import pytest
from django.test import Client

from civicgrid.property.constants import CheckItem, CommitteePost, ExitReason, MemberEndReason, NegativeItem
from civicgrid.requests.tests.test_requestsfix_openapi_fields import assert_lists, body_problems, body_schemas

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(client: Client) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_every_body_field_has_a_chinese_title_and_a_description(document: dict[str, Any]) -> None:
    schemas = body_schemas(document, "/api/v1/property/")
    assert {"ContractIn", "InspectionIn", "ItemBody", "CreditIn", "MemberIn", "CommitteeTermIn"} <= set(
        schemas
    )
    assert not body_problems(schemas), "\n".join(body_problems(schemas))


def test_fields_of_fixed_values_list_them_from_their_choices(document: dict[str, Any]) -> None:
    components = document["components"]["schemas"]
    for schema, field, choices in (
        ("ContractEndIn", "reason", ExitReason),
        ("MemberIn", "post", CommitteePost),
        ("MemberIn", "negative_items", NegativeItem),
        ("CommitteeMemberEndIn", "reason", MemberEndReason),
        ("InspectionIn", "items", CheckItem),
    ):
        assert_lists(components[schema]["properties"][field]["description"], choices)
