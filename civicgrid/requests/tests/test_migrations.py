"""Migration ``requests.0006`` (lean indexes) can be undone, e.g. to roll a release back."""

from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        constraints: dict[str, Any] = connection.introspection.get_constraints(cursor, table)
    return {name for name, c in constraints.items() if c["index"] and not (c["primary_key"] or c["unique"])}


def test_lean_indexes_are_undone_and_done_again() -> None:
    lean = {table: indexes(table) for table in ("requests_request", "requests_rating")}
    assert "requests_req_light" in lean["requests_request"]

    call_command("migrate", "requests", "0005", verbosity=0)
    before = {table: indexes(table) for table in lean}
    assert "requests_req_light" not in before["requests_request"]
    assert "requests_rating_path_like" not in before["requests_rating"]
    assert len(before["requests_request"]) > len(lean["requests_request"])  # the redundant ones are back
    light = [name for name in before["requests_request"] if name.startswith("requests_request_light_")]
    assert light, before["requests_request"]

    call_command("migrate", "requests", verbosity=0)
    assert {table: indexes(table) for table in lean} == lean
