from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="CalendarDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("date", models.DateField(unique=True, verbose_name="日期")),
                ("is_workday", models.BooleanField(help_text="勾选：调休上班日；不勾选：放假", verbose_name="是否上班")),
                ("name", models.CharField(blank=True, max_length=50, verbose_name="名称")),
            ],
            options={"verbose_name": "节假日与调休", "verbose_name_plural": "节假日与调休", "ordering": ["date"]},
        ),
        migrations.CreateModel(
            name="CalendarYear",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("year", models.PositiveSmallIntegerField(unique=True, verbose_name="年份")),
                ("source", models.CharField(blank=True, max_length=100, verbose_name="来源")),
                ("note", models.CharField(blank=True, max_length=255, verbose_name="备注")),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={"verbose_name": "已录入节假日安排的年份", "verbose_name_plural": "已录入节假日安排的年份", "ordering": ["-year"]},
        ),
    ]
