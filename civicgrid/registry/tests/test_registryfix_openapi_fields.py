"""The registry's request bodies tell an integrator what to send (OpenAPI titles and descriptions).

An outside integrator found fields titled only by pydantic's English ("Node Id", "Kind") with
no description, and fields taking a fixed set of values (单位类型, 性别, 注销原因) that did not
list them. Every property of the registry's bodies now has a Chinese title (also the name a
422 gives the field) and a one-line Chinese description; the values of a choice come from its
``TextChoices``.
"""

import json

import pytest
from django.test import Client

from civicgrid.core.tests.openapi_bodies import assert_lists, body_problems, body_schemas, document
from civicgrid.registry.models import Gender, LeftReason, Organisation, OrganisationKind, ResidenceType
from civicgrid.registry.tests.factories import World

pytestmark = pytest.mark.django_db
PREFIX = "/api/v1/registry/"


def test_every_body_field_has_a_chinese_title_and_a_description(client: Client) -> None:
    schemas = body_schemas(document(client), PREFIX)
    assert set(schemas) == {"ResidentIn", "ResidentPatch", "OrganisationIn"}
    assert not body_problems(schemas), "\n".join(body_problems(schemas))


def test_fields_of_fixed_values_list_them_from_their_choices(client: Client) -> None:
    components = document(client)["components"]["schemas"]
    for schema, field, choices in (
        ("OrganisationIn", "kind", OrganisationKind),
        ("ResidentIn", "gender", Gender),
        ("ResidentIn", "residence_type", ResidenceType),
        ("ResidentPatch", "gender", Gender),
        ("ResidentPatch", "residence_type", ResidenceType),
        ("ResidentPatch", "left_reason", LeftReason),
    ):
        assert_lists(components[schema]["properties"][field]["description"], choices)
    organisation = components["OrganisationIn"]["properties"]
    assert organisation["kind"]["title"] == "单位类型"  # not pydantic's "Kind"
    assert "最长200字" in organisation["name"]["description"]  # the service's limit
    assert "elderly_alone" in components["ResidentIn"]["properties"]["tags"]["description"]


def test_a_refused_body_names_the_field_by_its_title(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    before = Organisation.objects.count()
    body = {"node_id": world.city.grid_a1_1.pk, "name": "新开超市"}  # no kind
    response = client.post(PREFIX + "organisations", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"] == {"kind": ["必填"]}
    assert response.json()["message"] == "单位类型：必填"  # the title, translated by the 422 handler
    assert Organisation.objects.count() == before
