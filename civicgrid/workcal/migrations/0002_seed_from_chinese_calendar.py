"""Seed the holiday table with every year chinese-calendar knows from 2020 on."""

from datetime import date

from django.db import migrations

FIRST_YEAR = 2020


def forward(apps, schema_editor):
    from civicgrid.workcal.services import known_schedule

    CalendarDay = apps.get_model("workcal", "CalendarDay")
    CalendarYear = apps.get_model("workcal", "CalendarYear")
    year = FIRST_YEAR
    while year <= date.today().year + 1:
        schedule = known_schedule(year)
        if schedule is not None and not CalendarYear.objects.filter(year=year).exists():
            CalendarDay.objects.bulk_create(
                [CalendarDay(date=d, is_workday=w, name=n) for d, (w, n) in sorted(schedule.items())]
            )
            CalendarYear.objects.create(year=year, source="chinese-calendar")
        year += 1


class Migration(migrations.Migration):
    dependencies = [("workcal", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
