"""The volunteers API's bodies tell an integrator what to send (OpenAPI titles and descriptions).

An outside integrator found body fields titled only by pydantic's English and fields of a fixed
set of values that did not list them. Every property of every body a volunteers operation takes
(the JSON schemas and the multipart form of 完成服务) has a Chinese title (the name a 422 gives
the field) and a one-line Chinese description; a choice's values come from its ``TextChoices``.
"""

import json
from typing import Any

import pytest
from django.test import Client

from civicgrid.core.tests.openapi_bodies import assert_lists, body_problems, body_schemas, document
from civicgrid.volunteers.constants import (
    Availability,
    Difficulty,
    OrdererKind,
    ServiceType,
    TakerKind,
    TeamColour,
    VolunteerKind,
)

pytestmark = pytest.mark.django_db
PREFIX = "/api/v1/volunteers/"


def test_every_body_field_has_a_chinese_title_and_a_description(client: Client) -> None:
    schemas = body_schemas(document(client), PREFIX)
    expected = {"RegisterIn", "UpdateIn", "TeamIn", "ActivityIn", "ActivityPatchIn", "VolunteerOrderIn"}
    assert expected | {"TakerIn", "ConfirmIn", "BoardIn", "VolunteerCheckIn"} <= set(schemas)
    assert "POST /api/v1/volunteers/orders/{order_id}/complete" in schemas  # the multipart form
    assert not body_problems(schemas), "\n".join(body_problems(schemas))


def test_fields_of_fixed_values_list_them_from_their_choices(client: Client) -> None:
    components = document(client)["components"]["schemas"]
    for schema, field, choices in (
        ("VolunteerOrderIn", "service_type", ServiceType),
        ("VolunteerOrderIn", "orderer_kind", OrdererKind),
        ("VolunteerOrderIn", "difficulty", Difficulty),
        ("TakerIn", "taker_kind", TakerKind),
        ("RegisterIn", "kind", VolunteerKind),
        ("RegisterIn", "availability", Availability),
        ("TeamIn", "colour", TeamColour),
    ):
        assert_lists(components[schema]["properties"][field]["description"], choices)


def test_the_title_names_the_field_in_a_422(people: Any) -> None:
    client = Client()
    client.force_login(people.city.bob)
    body = {"title": "买菜", "content": "每周一次", "difficulty": "很难"}
    response = client.post(PREFIX + "orders", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert "难度应为整数" in response.json()["message"]
