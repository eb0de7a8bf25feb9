from django.db import migrations


def forward(apps, schema_editor):
    apps.get_model("territory", "GeometryVersion").objects.get_or_create(pk=1, defaults={"version": 0})


class Migration(migrations.Migration):
    dependencies = [("territory", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
