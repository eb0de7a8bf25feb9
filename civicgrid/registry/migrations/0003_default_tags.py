from django.db import migrations

from civicgrid.registry.constants import DEFAULT_TAGS


def forward(apps, schema_editor):
    ResidentTag = apps.get_model("registry", "ResidentTag")
    for code, name, special in DEFAULT_TAGS:
        ResidentTag.objects.get_or_create(code=code, defaults={"name": name, "is_special_group": special})


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
