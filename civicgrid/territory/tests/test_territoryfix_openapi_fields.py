"""The territory's request bodies tell an integrator what to send (OpenAPI titles and descriptions).

An outside integrator found fields titled only by pydantic's English ("Kind", "Post") with no
description, and fields taking a fixed set of values (层级, 网格类型, 岗位) that did not list
them. Every property of the territory's bodies now has a Chinese title (also the name a 422
gives the field) and a one-line Chinese description; the values of a choice come from its
``TextChoices``.
"""

import json

import pytest
from django.test import Client

from civicgrid.core.tests.openapi_bodies import assert_lists, body_problems, body_schemas, document
from civicgrid.registry.tests.factories import World
from civicgrid.territory.models import GridType, NodeKind, Position, Post

pytestmark = pytest.mark.django_db
PREFIX = "/api/v1/territory/"


def test_every_body_field_has_a_chinese_title_and_a_description(client: Client) -> None:
    schemas = body_schemas(document(client), PREFIX)
    assert set(schemas) == {"NodeIn", "NodePatch", "MoveIn", "PositionIn"}
    assert not body_problems(schemas), "\n".join(body_problems(schemas))


def test_fields_of_fixed_values_list_them_from_their_choices(client: Client) -> None:
    components = document(client)["components"]["schemas"]
    for schema, field, choices in (
        ("NodeIn", "kind", NodeKind),
        ("NodeIn", "grid_type", GridType),
        ("PositionIn", "post", Post),
    ):
        assert_lists(components[schema]["properties"][field]["description"], choices)
    assert components["PositionIn"]["properties"]["post"]["title"] == "岗位"  # not pydantic's "Post"
    clear = components["NodePatch"]["properties"]["clear_geometry"]
    assert clear["title"] == "清除范围" and "true" in clear["description"]


def test_a_refused_body_names_each_field_by_its_title(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    before = Position.objects.count()
    body = {"holder_name": "王网格", "start_date": "明天"}  # no post, a day that is no date
    url = f"{PREFIX}nodes/{world.city.grid_a1_1.pk}/positions"
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert set(response.json()["detail"]) == {"post", "start_date"}
    message = response.json()["message"]
    assert "岗位：必填" in message and "任职开始：应为日期（YYYY-MM-DD）" in message
    assert Position.objects.count() == before
