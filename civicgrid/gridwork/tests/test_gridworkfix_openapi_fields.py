"""The gridwork API's bodies tell an integrator what to send (OpenAPI titles and descriptions).

Every property of every body the gridwork operations take (JSON, nested points and checklist
questions, and the multipart forms of findings and visits) has a Chinese title (also the name a
422 gives the field) and a description; a choice's values come from its ``TextChoices``.
"""

import json

import pytest
from django.test import Client

from civicgrid.conftest import City
from civicgrid.core.tests.openapi_bodies import assert_lists, body_problems, body_schemas, document
from civicgrid.gridwork.constants import CampaignKind, FindingCategory, ProposalKind, VisitKind
from civicgrid.gridwork.models import Campaign

pytestmark = pytest.mark.django_db


def test_every_body_field_has_a_chinese_title_and_a_description(client: Client) -> None:
    schemas = body_schemas(document(client), "/api/v1/gridwork/")
    assert {"PatrolStartIn", "PointSchema", "ProposalIn", "CampaignIn", "QuestionIn", "CarePlanPatch"} <= set(
        schemas
    )
    assert "POST /api/v1/gridwork/findings" in schemas and "POST /api/v1/gridwork/visits" in schemas
    assert not body_problems(schemas), "\n".join(body_problems(schemas))


def test_fields_of_fixed_values_list_them_from_their_choices(client: Client) -> None:
    served = document(client)
    components = served["components"]["schemas"]
    assert_lists(components["CampaignIn"]["properties"]["kind"]["description"], CampaignKind)
    assert_lists(components["ProposalIn"]["properties"]["kind"]["description"], ProposalKind)
    finding = served["paths"]["/api/v1/gridwork/findings"]["post"]["requestBody"]["content"]
    form = finding["multipart/form-data"]["schema"]["properties"]
    assert_lists(form["category"]["description"], FindingCategory)
    assert form["category"]["title"] == "类别"
    visit = served["paths"]["/api/v1/gridwork/visits"]["post"]["requestBody"]["content"]
    assert_lists(visit["multipart/form-data"]["schema"]["properties"]["kind"]["description"], VisitKind)


def test_a_refused_body_names_the_field_by_its_title(city: City) -> None:
    client = Client()
    client.force_login(city.dave)  # the district leader may launch a campaign
    body = {"name": "消防排查", "kind": "fire_safety", "starts_on": "2026-01-01", "ends_on": "2026-01-31"}
    response = client.post("/api/v1/gridwork/campaigns", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert "area_id" in response.json()["detail"]
    assert "任务范围" in response.json()["message"]  # the title, not the code area_id
    assert not Campaign.objects.exists()
