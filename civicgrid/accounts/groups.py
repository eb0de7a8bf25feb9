"""Grant Django-admin model permissions to an administrators' group, from a data migration."""

from typing import Any


def group_grant(apps: Any, group_name: str, app_label: str, models: list[str]) -> None:
    """Give ``group_name`` every permission on ``models`` of ``app_label`` (creating both)."""
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config(app_label)
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=group_name)
    perms = Permission.objects.filter(content_type__app_label=app_label, content_type__model__in=models)
    group.permissions.add(*perms)
