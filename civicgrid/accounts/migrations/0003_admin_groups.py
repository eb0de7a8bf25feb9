"""Django-admin permission groups for the system and security administrators (三员分立).

The system administrator configures the territory and reference data; the security
administrator manages accounts and role assignments; the audit administrator uses the
audit page only. ``accounts.services`` puts each administrator in their group.
"""

from django.db import migrations

GROUPS = {
    "系统管理员": [
        ("territory", ["node", "gridmatter", "position", "geometryversion"]),
        ("registry", ["residenttag"]),
    ],
    "安全管理员": [("accounts", ["user", "roleassignment", "apitoken"])],
}


def forward(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, grants in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for app_label, models in grants:
            perms = Permission.objects.filter(content_type__app_label=app_label, content_type__model__in=models)
            group.permissions.add(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("territory", "0001_initial"),
        ("registry", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
