"""``Approval.not_ours``: a return asked for as 非本单位职责 (not the unit's business).

Until now the claim was known only from the history row (action ``not_ours``, whose data
names the approval), so the dispatcher's triage could not tell it from an ordinary return.
The earlier claims are marked from those rows; undone, the column goes (the rows stay).
"""

from typing import Any

from django.db import migrations, models


def mark_not_ours(apps: Any, schema_editor: Any) -> None:
    Approval = apps.get_model("requests", "Approval")
    RequestEvent = apps.get_model("requests", "RequestEvent")
    claims = RequestEvent.objects.filter(action="not_ours").values_list("data", flat=True)
    ids = {d.get("approval") for d in claims.iterator() if isinstance(d, dict)}
    ids = sorted(i for i in ids if isinstance(i, int))
    for start in range(0, len(ids), 1000):
        Approval.objects.filter(pk__in=ids[start : start + 1000], kind="return").update(not_ours=True)


class Migration(migrations.Migration):
    dependencies = [
        ("requests", "0007_partial_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="approval",
            name="not_ours",
            field=models.BooleanField(default=False, verbose_name="非本单位职责"),
        ),
        migrations.RunPython(mark_not_ours, migrations.RunPython.noop, elidable=True),
    ]
