"""An outside tester installing for real: with a wrong CIVICGRID_PII_HASH_KEY the key check
passed while fewer than three hashed rows were stored (a young installation), so new rows
were hashed under a key the old ones do not share. One stored row is enough to tell."""

import base64
import os
from typing import Any

import pytest
from django.test import override_settings

from civicgrid.conftest import City
from civicgrid.core import checks
from civicgrid.registry import services as registry

ID_NUMBER = "110101199003071234"


def wrong_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


@pytest.mark.parametrize("count", [1, 2, 3])
def test_a_wrong_hash_key_is_found_with_one_or_two_rows(city: City, count: int) -> None:
    for n in range(count):
        registry.resident_create(
            actor=city.bob, node=city.grid_a1_1, name=f"居民{n}", id_number="", phone=f"1380000000{n}"
        )
    assert checks.pii_key_problem() is None
    with override_settings(PII_HASH_KEY=wrong_key()):
        problem = checks.pii_key_problem()
    assert problem is not None and "CIVICGRID_PII_HASH_KEY" in problem
    assert f"none of the {count} newest" in problem


def test_nothing_stored_passes(db: Any) -> None:
    with override_settings(PII_HASH_KEY=wrong_key()):
        assert checks.pii_key_problem() is None
