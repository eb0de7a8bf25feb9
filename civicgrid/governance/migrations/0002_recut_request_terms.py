"""The words of requests are cut without the system's own wording and with more stop words
(text.strip_boilerplate, STOP_WORDS): the words cut before are dropped, and cut again by
``governance_tick`` (20,000 a minute) or by the next hot-issue run of their period."""

from typing import Any

from django.db import migrations


def drop_terms(apps: Any, schema_editor: Any) -> None:
    apps.get_model("governance", "RequestTerms").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]

    operations = [migrations.RunPython(drop_terms, migrations.RunPython.noop)]
