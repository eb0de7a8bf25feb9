"""Migrations ``requests.0006`` (lean indexes) and ``0007`` (partial indexes) can be undone,
e.g. to roll a release back."""

from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        constraints: dict[str, Any] = connection.introspection.get_constraints(cursor, table)
    return {name for name, c in constraints.items() if c["index"] and not (c["primary_key"] or c["unique"])}


PARTIAL = {
    "requests_request": {
        "requests_req_building",
        "requests_req_created_by",
        "requests_req_merged_into",
        "requests_req_next_check_at",
    },
    "requests_workorder": {"requests_wo_rule", "requests_wo_dispatched_by"},
    "requests_requestevent": {"requests_ev_actor", "requests_ev_unit"},
    "requests_rating": {"requests_ra_rated_by"},
}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="releases are rolled back on PostgreSQL")
def test_partial_and_lean_indexes_are_undone_and_done_again() -> None:
    """0007: the models' partial indexes exist, the full ones they replace and the two covered
    by another index are gone; undone (to 0006), the full ones are back. 0006 undone too (to
    0005): the redundant indexes are back. Done again: as before. (One test, so that the whole
    project is migrated back and forth once. On PostgreSQL only, where a release is rolled
    back: on SQLite the same round trip rebuilt every later table for 37 s of the CI's
    longest run, to prove what the PostgreSQL run proves.)"""
    tables = sorted({*PARTIAL, "requests_request", "requests_rating"})
    latest = {table: indexes(table) for table in tables}
    for table, names in PARTIAL.items():
        assert names <= latest[table], (table, latest[table])
    assert not any(name.startswith("requests_workorder_unit_id_") for name in latest["requests_workorder"])
    assert not any(name.startswith("requests_rating_request_id_") for name in latest["requests_rating"])
    assert "requests_req_light" in latest["requests_request"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'requests_req_building'")
            assert cursor.fetchone()[0].endswith("WHERE (building_id IS NOT NULL)")

    call_command("migrate", "requests", "0006", verbosity=0)
    full = {table: indexes(table) for table in PARTIAL}
    for table, names in PARTIAL.items():
        assert not names & full[table], (table, full[table])
    assert any(name.startswith("requests_request_building_id_") for name in full["requests_request"])
    assert any(name.startswith("requests_workorder_unit_id_") for name in full["requests_workorder"])
    assert any(name.startswith("requests_rating_request_id_") for name in full["requests_rating"])
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
    assert {table: indexes(table) for table in tables} == latest


def test_the_partial_index_serves_a_lookup_by_value() -> None:
    """A lookup by a value (a bound parameter, as prepared statements send it) uses the
    partial index: the planner proves ``building_id = $1`` implies ``IS NOT NULL``."""
    if connection.vendor != "postgresql":
        pytest.skip("query plans of PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(
            "PREPARE by_building(bigint) AS SELECT id FROM requests_request WHERE building_id = $1"
        )
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        cursor.execute("EXPLAIN EXECUTE by_building(1)")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("DEALLOCATE by_building")
        cursor.execute("RESET plan_cache_mode")
        cursor.execute("RESET enable_seqscan")
    assert "requests_req_building" in plan, plan
