"""Make the ledger's tables append-only in the database itself (like core's audit table).

PostgreSQL refuses UPDATE and DELETE on movements, lot uses, time-bank entries, stock entries
and redemption events (TRUNCATE, used by test teardown and a deliberate DBA action, stays
possible). SQLite refuses UPDATE; DELETE stays possible there because Django's test flush
uses it, and the product never deletes.
"""

from django.db import migrations

TABLES = [
    "points_movement",
    "points_lotuse",
    "points_timebankentry",
    "points_stockentry",
    "points_redemptionevent",
]

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION points_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def _pg_forward(table: str) -> str:
    return f"""
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION points_refuse_change();
CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION points_refuse_change();
"""


def _pg_backward(table: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS {table}_no_update ON {table};
DROP TRIGGER IF EXISTS {table}_no_delete ON {table};
"""


def _sqlite_forward(table: str) -> str:
    return f"""
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
"""


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(_pg_forward(table))
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(_sqlite_forward(table))


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(_pg_backward(table))
        schema_editor.execute("DROP FUNCTION IF EXISTS points_refuse_change();")
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
