"""The property API's bodies tell an integrator what to send (OpenAPI titles and descriptions).

Every property of every body the property operations take (with the inspection's nested items)
has a Chinese title (the name a 422 gives the field) and a description; the values of a choice
(exit and leaving reasons, posts, the negative list, the checklist) come from its ``TextChoices``.
"""

import pytest
from django.test import Client

from civicgrid.core.tests.openapi_bodies import assert_lists, body_problems, body_schemas, document
from civicgrid.property.constants import CheckItem, CommitteePost, ExitReason, MemberEndReason, NegativeItem

pytestmark = pytest.mark.django_db


def test_every_body_field_has_a_chinese_title_and_a_description(client: Client) -> None:
    schemas = body_schemas(document(client), "/api/v1/property/")
    assert {"ContractIn", "InspectionIn", "ItemBody", "CreditIn", "MemberIn", "CommitteeTermIn"} <= set(
        schemas
    )
    assert not body_problems(schemas), "\n".join(body_problems(schemas))


def test_fields_of_fixed_values_list_them_from_their_choices(client: Client) -> None:
    components = document(client)["components"]["schemas"]
    for schema, field, choices in (
        ("ContractEndIn", "reason", ExitReason),
        ("MemberIn", "post", CommitteePost),
        ("MemberIn", "negative_items", NegativeItem),
        ("CommitteeMemberEndIn", "reason", MemberEndReason),
        ("InspectionIn", "items", CheckItem),
    ):
        assert_lists(components[schema]["properties"][field]["description"], choices)
