"""On SQLite the audit table refuses DELETE too (0003 refused only UPDATE there), as it
already does on PostgreSQL (0003's ``core_auditlog_no_delete``). The product never deletes
audit rows.

Not in the test database (``settings.TESTING``): Django empties the tables with DELETE on
SQLite after each test that cannot be rolled back (the browser tests' live server), where
PostgreSQL uses TRUNCATE, which its trigger lets through. The test of this trigger creates
it inside its own transaction (``accounts/tests/test_secfix_audit.py``).
"""

from django.conf import settings
from django.db import migrations

SQLITE_FORWARD = """
CREATE TRIGGER IF NOT EXISTS core_auditlog_no_delete BEFORE DELETE ON core_auditlog
BEGIN SELECT RAISE(ABORT, 'core_auditlog is append-only'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS core_auditlog_no_delete;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite" and not settings.TESTING:
        schema_editor.execute(SQLITE_FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_form_token")]
    operations = [migrations.RunPython(forward, backward)]
