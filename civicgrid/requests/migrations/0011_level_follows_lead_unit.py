"""A request's handling level follows its lead unit (before, only 上报 changed it, so a
community-led request said 街道 and escalated straight to the district). Requests
dispatched before this are brought in line; a request held in the compound stays there."""

from django.db import migrations

LEVEL_OF_UNIT = {
    "community": "community",
    "subdistrict": "subdistrict",
    "district": "district",
    "department": "district",
    "enterprise": "district",
    "hotline": "district",
}


def forwards(apps, schema_editor):
    Request = apps.get_model("requests", "Request")
    for kind, level in LEVEL_OF_UNIT.items():
        (
            Request.objects.filter(lead_unit__kind=kind)
            .exclude(level__in=[level, "compound"])
            .update(level=level)
        )


class Migration(migrations.Migration):
    dependencies = [("requests", "0010_one_request_per_external_id")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
