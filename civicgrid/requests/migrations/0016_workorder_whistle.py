"""A 吹哨召集 assisting work order keeps the whistle that summoned its unit, so it ends with
the whistle. Existing ones are linked by their label (吹哨召集（…）, no rule) to the latest
whistle on the request summoning that unit before the order; those of a whistle already
closed end now, as closing does from now on. ``level`` may be blank (no lead unit)."""

from datetime import timedelta

import django.db.models.deletion
from django.db import migrations, models

WHISTLE_LABEL = "吹哨召集（"


def link_whistle_orders(apps, schema_editor):
    WorkOrder = apps.get_model("requests", "WorkOrder")
    WhistleSummons = apps.get_model("requests", "WhistleSummons")
    orders = WorkOrder.objects.filter(
        role="assist", rule__isnull=True, whistle__isnull=True, rule_label__startswith=WHISTLE_LABEL
    )
    for order in orders.iterator():
        summons = (
            WhistleSummons.objects.filter(
                whistle__request_id=order.request_id,
                unit_id=order.unit_id,
                whistle__created_at__lte=order.dispatched_at + timedelta(seconds=5),
            )
            .select_related("whistle")
            .order_by("-whistle__created_at")
            .first()
        )
        if summons is None:
            continue
        order.whistle_id = summons.whistle_id
        if summons.whistle.closed_at is not None:
            order.is_active = False
        order.save(update_fields=["whistle", "is_active"])


class Migration(migrations.Migration):

    dependencies = [
        ('requests', '0015_recheck_open_clocks'),
    ]

    operations = [
        migrations.AddField(
            model_name='workorder',
            name='whistle',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='work_orders', to='requests.whistle'),
        ),
        migrations.AlterField(
            model_name='request',
            name='level',
            field=models.CharField(blank=True, choices=[('compound', '小区'), ('community', '社区'), ('subdistrict', '街道（乡镇）'), ('district', '区（县）')], default='subdistrict', max_length=20, verbose_name='办理层级'),
        ),
        migrations.AddIndex(
            model_name='workorder',
            index=models.Index(condition=models.Q(('whistle__isnull', False)), fields=['whistle'], name='requests_wo_whistle'),
        ),
        migrations.RunPython(link_whistle_orders, migrations.RunPython.noop),
    ]
