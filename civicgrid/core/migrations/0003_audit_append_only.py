"""Make the audit table append-only in the database itself.

PostgreSQL refuses UPDATE and DELETE on it (TRUNCATE, used only by test teardown and
by a deliberate DBA action, stays possible). SQLite refuses UPDATE; DELETE stays
possible there because Django's test flush uses it, and the product never deletes.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION core_auditlog_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_auditlog is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditlog_no_update BEFORE UPDATE ON core_auditlog
    FOR EACH ROW EXECUTE FUNCTION core_auditlog_refuse_change();
CREATE TRIGGER core_auditlog_no_delete BEFORE DELETE ON core_auditlog
    FOR EACH ROW EXECUTE FUNCTION core_auditlog_refuse_change();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS core_auditlog_no_update ON core_auditlog;
DROP TRIGGER IF EXISTS core_auditlog_no_delete ON core_auditlog;
DROP FUNCTION IF EXISTS core_auditlog_refuse_change();
"""
SQLITE_FORWARD = """
CREATE TRIGGER core_auditlog_no_update BEFORE UPDATE ON core_auditlog
BEGIN SELECT RAISE(ABORT, 'core_auditlog is append-only'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS core_auditlog_no_update;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]
    operations = [migrations.RunPython(forward, backward)]
