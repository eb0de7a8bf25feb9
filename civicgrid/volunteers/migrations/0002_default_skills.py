from django.db import migrations

from civicgrid.volunteers.constants import DEFAULT_SKILLS


def forward(apps, schema_editor):
    Skill = apps.get_model("volunteers", "Skill")
    for order, (code, name) in enumerate(DEFAULT_SKILLS, start=1):
        Skill.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
