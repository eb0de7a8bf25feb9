"""The resident audit rows written before keep the birth year only, as new ones do.

A resident's create/edit snapshot (``registry.resident`` rows, keys ``before`` and ``after``)
kept the full birth date beside the masked ID number, which hides the birth date: together
they gave the auditor the ID number back. The audit table is append-only (core 0003: the
database refuses UPDATE); this one-off rewrite, in the migration's transaction, lifts that
refusal for itself alone and puts it back, and changes nothing but the ``birth_date`` key of
those rows, from "YYYY-MM-DD" to the year: it takes information out, never puts any in.
"""

import re

from django.db import migrations
from django.db.models import Q

FULL_DATE = re.compile(r"^(\d{4})-\d{2}-\d{2}$")
TRIGGER = "core_auditlog_no_update"
BATCH = 500


def _year(snapshot):
    """The snapshot with a full ``birth_date`` cut to its year, or None when unchanged."""
    if not isinstance(snapshot, dict):
        return None
    born = snapshot.get("birth_date")
    match = FULL_DATE.match(born) if isinstance(born, str) else None
    if match is None:
        return None
    return {**snapshot, "birth_date": int(match.group(1))}


def _rewrite(AuditLog):
    rows = AuditLog.objects.filter(target_type="registry.resident").filter(
        Q(before__has_key="birth_date") | Q(after__has_key="birth_date")
    )
    changed = []
    for row in rows.only("pk", "before", "after").iterator(chunk_size=BATCH):
        before, after = _year(row.before), _year(row.after)
        if before is None and after is None:
            continue
        row.before = before if before is not None else row.before
        row.after = after if after is not None else row.after
        changed.append(row)
    for start in range(0, len(changed), BATCH):
        AuditLog.objects.bulk_update(changed[start : start + BATCH], ["before", "after"])
    return len(changed)


def birth_year_only(apps, schema_editor):
    """Rewrite the rows with the update trigger lifted (PostgreSQL: disabled; SQLite: dropped
    and created again from its own text), then restored, all in one transaction."""
    AuditLog = apps.get_model("core", "AuditLog")
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'core_auditlog'::regclass "
                "AND tgname = %s AND tgenabled <> 'D'",
                [TRIGGER],
            )
            lifted = bool(cursor.fetchall())
            if lifted:
                cursor.execute(f"ALTER TABLE core_auditlog DISABLE TRIGGER {TRIGGER}")
            _rewrite(AuditLog)
            if lifted:
                cursor.execute(f"ALTER TABLE core_auditlog ENABLE TRIGGER {TRIGGER}")
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s", [TRIGGER])
            found = cursor.fetchone()
            if found:
                cursor.execute(f"DROP TRIGGER {TRIGGER}")
            _rewrite(AuditLog)
            if found:
                cursor.execute(found[0])
        else:
            _rewrite(AuditLog)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_audit_via"),
        ("registry", "0007_resident_left_reason"),
    ]

    operations = [
        migrations.RunPython(birth_year_only, migrations.RunPython.noop, elidable=True),
    ]
