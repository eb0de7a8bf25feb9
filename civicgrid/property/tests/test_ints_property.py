"""JSON true or 1.0 is no version: ending a contract with ``expected_version: true`` was
compared with version 1 (pydantic's lax int); now 422 naming the field, nothing changes."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.property.models import ServiceContract
from civicgrid.property.tests.conftest import World, audit_count, today

pytestmark = pytest.mark.django_db


def end(world: World, contract: ServiceContract, version: Any) -> Any:
    client = Client()
    client.force_login(world.city.dave)
    body = {"ends_on": today().isoformat(), "reason": "expired", "expected_version": version}
    return client.post(f"/api/v1/property/contracts/{contract.pk}/end", body, "application/json")


@pytest.mark.parametrize("bad", [True, 1.0])
def test_an_expected_version_of_true_or_1_0_is_refused_by_name(world: World, bad: Any) -> None:
    contract = world.start()
    before = audit_count()
    answer = end(world, contract, bad)
    assert answer.status_code == 422, answer.json()
    assert answer.json()["detail"] == {"expected_version": ["期望版本号应为整数"]}
    contract.refresh_from_db()
    assert contract.ends_on is None and audit_count() == before


def test_a_whole_number_still_ends_the_contract(world: World) -> None:
    contract = world.start()
    answer = end(world, contract, contract.version)
    assert answer.status_code == 200, answer.json()
    contract.refresh_from_db()
    assert contract.ends_on == today()
