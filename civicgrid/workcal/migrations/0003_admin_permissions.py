"""The system administrator keeps the holiday table in the admin too (三员分立: the security
administrator does not)."""

from django.db import migrations

from civicgrid.accounts.groups import group_grant


def forward(apps, schema_editor):
    group_grant(apps, "系统管理员", "workcal", ["calendarday", "calendaryear"])


class Migration(migrations.Migration):
    dependencies = [
        ("workcal", "0002_seed_from_chinese_calendar"),
        ("accounts", "0003_admin_groups"),
    ]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
