"""The request API's bodies tell an integrator what to send (OpenAPI titles and descriptions).

An outside integrator found body fields titled only by pydantic's English and fields of a fixed
set of values that did not list them. Every property of every body the request operations take
(the JSON schemas, the objects nested in them, and the multipart form of the attachments) has a
Chinese title (the name a 422 gives the field) and a one-line Chinese description; a choice's
values come from its ``TextChoices``. The helpers (and their own test) are in
``civicgrid.core.tests.openapi_bodies``.
"""

import pytest
from django.test import Client

from civicgrid.core.tests.openapi_bodies import assert_lists, body_problems, body_schemas, document
from civicgrid.requests.constants import Channel, RequestType, Resolution, Satisfaction, Urgency

pytestmark = pytest.mark.django_db


def test_every_body_field_has_a_chinese_title_and_a_description(client: Client) -> None:
    schemas = body_schemas(document(client), "/api/v1/requests/")
    assert {"RequestIn", "DispatchIn", "CallbackIn", "CouncilIn", "WhistleIn", "ReassignIn"} <= set(schemas)
    assert "POST /api/v1/requests/{request_id}/attachments" in schemas  # the multipart form
    assert not body_problems(schemas), "\n".join(body_problems(schemas))


def test_fields_of_fixed_values_list_them_from_their_choices(client: Client) -> None:
    components = document(client)["components"]["schemas"]
    for schema, field, choices in (
        ("RequestIn", "channel", Channel),
        ("RequestIn", "type", RequestType),
        ("RequestIn", "urgency", Urgency),
        ("CallbackIn", "resolution", Resolution),
        ("RateIn", "satisfaction", Satisfaction),
    ):
        assert_lists(components[schema]["properties"][field]["description"], choices)
    assert "取值：" in components["RequestIn"]["properties"]["type"]["description"]
