"""psycopg keeps the parse of the intake-sized statements."""

import pytest
from django.db import connection
from psycopg import _queries

from civicgrid.core.db import STATEMENT_CACHE_PARAMS

pytestmark = pytest.mark.django_db


def parses_cached() -> int:
    return _queries._query2pg_client.cache_info().hits + _queries._query2pg.cache_info().hits


@pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg is PostgreSQL's driver")
def test_a_statement_of_120_values_is_parsed_once() -> None:
    values = list(range(120))
    sql = "SELECT " + ", ".join(["%s::int"] * len(values)) + " -- " + "x" * 5000
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        assert cursor.fetchone() == tuple(values)
        before = parses_cached()
        cursor.execute(sql, values[::-1])
        assert cursor.fetchone() == tuple(values[::-1])
    assert parses_cached() == before + 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg is PostgreSQL's driver")
def test_a_bulk_statement_with_more_values_stays_uncached() -> None:
    values = list(range(STATEMENT_CACHE_PARAMS + 1))
    sql = "SELECT " + ", ".join(["%s::int"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        before = parses_cached()
        cursor.execute(sql, values)
        assert cursor.fetchone()[-1] == values[-1]
    assert parses_cached() == before


@pytest.mark.skipif(
    connection.vendor != "postgresql" or not connection.settings_dict["OPTIONS"].get("prepare_threshold"),
    reason="statements are prepared on PostgreSQL unless CIVICGRID_DB_PREPARE_THRESHOLD=0",
)
def test_a_statement_used_often_is_prepared_once_per_connection() -> None:
    sql = "SELECT count(*) FROM django_content_type WHERE app_label = %s"
    with connection.cursor() as cursor:
        for _ in range(connection.settings_dict["OPTIONS"]["prepare_threshold"] + 1):
            cursor.execute(sql, ["requests"])
            assert cursor.fetchone()[0] > 0
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", ["%app_label = $1%"]
        )
        assert sql.replace("%s", "$1") in [row[0] for row in cursor.fetchall()]


def test_the_options_of_the_database_url_are_kept_beside_the_prepared_statements() -> None:
    """``?sslmode=require`` must survive: dropping it would let libpq connect without TLS."""
    import json
    import os
    import subprocess
    import sys

    env = dict(os.environ, DATABASE_URL="postgres://u@db.example:5432/civicgrid?sslmode=require")
    env.pop("CIVICGRID_DB_PREPARE_THRESHOLD", None)
    script = (
        "import json; from civicgrid import settings as s; "
        "print(json.dumps(s.DATABASES['default']['OPTIONS']))"
    )
    out = subprocess.run(  # noqa: S603 (this interpreter, a fixed script)
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {
        "sslmode": "require",
        "server_side_binding": True,
        "prepare_threshold": 5,
    }
