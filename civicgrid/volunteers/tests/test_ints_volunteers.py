"""JSON true or 1.0 is no version: publishing an order with ``expected_version: true`` was
compared with version 1 (pydantic's lax int); now 422 naming the field, nothing changes."""

import json
from typing import Any

import pytest
from django.test import Client

from civicgrid.core.models import AuditLog
from civicgrid.volunteers.constants import OrderStatus
from civicgrid.volunteers.models import ServiceOrder
from civicgrid.volunteers.tests.conftest import People

pytestmark = pytest.mark.django_db


def publish(people: People, order: ServiceOrder, version: Any) -> Any:
    client = Client()
    client.force_login(people.city.bob)
    return client.post(
        f"/api/v1/volunteers/orders/{order.pk}/publish",
        json.dumps({"expected_version": version}),
        content_type="application/json",
    )


@pytest.mark.parametrize("bad", [True, 1.0])
def test_an_expected_version_of_true_or_1_0_is_refused_by_name(people: People, bad: Any) -> None:
    order = people.order()
    before = (order.status, order.version, AuditLog.objects.count())
    answer = publish(people, order, bad)
    assert answer.status_code == 422, answer.json()
    assert answer.json()["detail"] == {"expected_version": ["期望版本号应为整数"]}
    order.refresh_from_db()
    assert (order.status, order.version, AuditLog.objects.count()) == before


def test_a_whole_number_still_publishes(people: People) -> None:
    order = people.order()
    answer = publish(people, order, order.version)
    assert answer.status_code == 200, answer.json()
    order.refresh_from_db()
    assert order.status == OrderStatus.PUBLISHED
