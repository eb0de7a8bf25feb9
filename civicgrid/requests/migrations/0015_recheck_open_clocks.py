"""Yellow now counts back the fraction of a limit on its own clock (working days or hours on
the work calendar) instead of wall-clock time, so on a working-day limit it may come earlier
than the ``next_check_at`` stored by the old rule. Open requests are looked at again by the
next deadline scan, which sets their light and next check by the new rule (or raises the
yellow warning at once where it is due already)."""

from django.db import migrations
from django.utils import timezone


def recheck(apps, schema_editor):
    Request = apps.get_model("requests", "Request")
    now = timezone.now()
    Request.objects.filter(next_check_at__gt=now).update(next_check_at=now)


class Migration(migrations.Migration):
    dependencies = [("requests", "0014_event_caller_phone_index")]

    operations = [migrations.RunPython(recheck, migrations.RunPython.noop)]
