"""The system administrator keeps handling units, their staff, dispatch rules and the
knowledge base in the admin (三员分立: the security administrator does not)."""

from django.db import migrations

from civicgrid.accounts.groups import group_grant


def forward(apps, schema_editor):
    group_grant(
        apps, "系统管理员", "requests", ["handlingunit", "unitmembership", "dispatchrule", "savedanswer"]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("requests", "0004_knowledge_base"),
        ("accounts", "0003_admin_groups"),
    ]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
