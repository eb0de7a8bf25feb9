"""The working calendar: China's public holidays and make-up working days, editable.

A date with a ``CalendarDay`` row is a holiday (``is_workday=False``) or a make-up working
day (``is_workday=True``); any other date is a working day from Monday to Friday. A year
is *known* when a ``CalendarYear`` row says its schedule was entered; for an unknown year
the calendar falls back to plain weekends and the deadline carries a warning.
"""

from django.db import models


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("来源", max_length=100, blank=True)
    note = models.CharField("备注", max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "已录入节假日安排的年份"
        verbose_name_plural = "已录入节假日安排的年份"
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否上班", help_text="勾选：调休上班日；不勾选：放假")
    name = models.CharField("名称", max_length=50, blank=True)

    class Meta:
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '放假'} {self.name}"
