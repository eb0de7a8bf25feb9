"""Four POSTs at once of one resident without an ID number (or one organisation without a
credit code) register it once: the others are refused 409 (PostgreSQL: row locks)."""

from typing import Any

import pytest

from civicgrid.core.errors import Conflict
from civicgrid.registry import services
from civicgrid.registry.models import Organisation, Resident
from civicgrid.territory.tests.threads import postgres_only, run_at_once

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_four_resident_posts_at_once_register_one(city: Any) -> None:
    def post() -> Any:
        return services.resident_create(actor=city.bob, node=city.grid_a1_1, name="张三", phone="13800138000")

    results = run_at_once(post, post, post, post, stagger=0)
    assert Resident.objects.filter(name="张三").count() == 1
    assert sum(isinstance(r, Conflict) for r in results) == 3, results


def test_four_organisation_posts_at_once_register_one(city: Any) -> None:
    def post() -> Any:
        return services.organisation_create(
            actor=city.bob, node=city.grid_a1_1, name="好邻居超市", kind="enterprise", address="中山路1号"
        )

    results = run_at_once(post, post, post, post, stagger=0)
    assert Organisation.objects.filter(name="好邻居超市").count() == 1
    assert sum(isinstance(r, Conflict) for r in results) == 3, results
