"""The governance API's bodies tell an integrator what to send (OpenAPI titles and descriptions).

Every property of every body the governance operations take has a Chinese title (also the name
a 422 gives the field: these schemas translate it through the API's 422 handler) and a
description; a topic's status lists its values from ``TopicStatus``.
"""

import pytest
from django.test import Client

from civicgrid.core.tests.openapi_bodies import assert_lists, body_problems, body_schemas, document
from civicgrid.governance.models import Topic, TopicStatus
from civicgrid.governance.tests.test_api import Caller
from civicgrid.requests.tests.conftest import Hotline

pytestmark = pytest.mark.django_db


def test_every_body_field_has_a_chinese_title_and_a_description(client: Client) -> None:
    schemas = body_schemas(document(client), "/api/v1/governance/")
    assert {"TopicIn", "TopicPatch", "GovernanceTaskIn", "ProgressIn", "AcceptIn", "AckIn"} <= set(schemas)
    assert not body_problems(schemas), "\n".join(body_problems(schemas))


def test_fields_of_fixed_values_list_them_from_their_choices(client: Client) -> None:
    status = document(client)["components"]["schemas"]["TopicPatch"]["properties"]["status"]
    assert status["title"] == "状态"
    assert_lists(status["description"], TopicStatus)


def test_a_refused_body_names_the_field_by_its_title(hotline: Hotline) -> None:
    dave = Caller(hotline.city.dave)
    response = dave.post("/topics", {"title": "电梯维修", "lead_unit": 1})  # no leading_official
    assert response.status_code == 422
    assert "leading_official" in response.json()["detail"]
    assert "牵头领导" in response.json()["message"]  # the title, not the code
    assert not Topic.objects.exists()
