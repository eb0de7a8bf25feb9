"""JSON true or 1.0 is no number of days: a care plan's ``interval_days: true`` was read as
1 (pydantic's lax int) and stored; now 422 naming the field, and the plan stays."""

import json
from typing import Any

import pytest
from django.test import Client

from civicgrid.gridwork.models import CarePlan
from civicgrid.gridwork.tests.conftest import Field, audit_count
from civicgrid.gridwork.tests.test_care import plan  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def patch(field: Field, plan: CarePlan, body: dict[str, Any]) -> Any:  # noqa: F811
    client = Client()
    client.force_login(field.city.bob)
    return client.patch(
        f"/api/v1/gridwork/care-plans/{plan.pk}", json.dumps(body), content_type="application/json"
    )


@pytest.mark.parametrize("name", ["interval_days", "assignee_id"])
@pytest.mark.parametrize("bad", [True, 1.0])
def test_a_number_of_true_or_1_0_is_refused_by_name(
    field: Field,
    plan: CarePlan,  # noqa: F811
    name: str,
    bad: Any,
) -> None:
    before = (plan.interval_days, plan.assignee_id, audit_count())
    answer = patch(field, plan, {name: bad})
    assert answer.status_code == 422, answer.json()
    assert answer.json()["detail"] == {name: ["应为整数"]}
    plan.refresh_from_db()
    assert (plan.interval_days, plan.assignee_id, audit_count()) == before


def test_a_whole_number_still_changes_the_plan(field: Field, plan: CarePlan) -> None:  # noqa: F811
    answer = patch(field, plan, {"interval_days": 14})
    assert answer.status_code == 200, answer.json()
    plan.refresh_from_db()
    assert plan.interval_days == 14
