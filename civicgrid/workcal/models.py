"""The working calendar: China's public holidays and make-up working days, editable.

A date with a ``CalendarDay`` row is a holiday (``is_workday=False``) or a make-up working
day (``is_workday=True``); any other date is a working day from Monday to Friday. A year
is *known* when a ``CalendarYear`` row says its schedule was entered; for an unknown year
the calendar falls back to plain weekends and the deadline carries a warning.
"""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("来源"), max_length=100, blank=True)
    note = models.CharField(_("备注"), max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("已录入节假日安排的年份")
        verbose_name_plural = _("已录入节假日安排的年份")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否上班"), help_text=_("勾选：调休上班日；不勾选：放假"))
    name = models.CharField(_("名称"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        text = gettext("{date} 上班 {name}") if self.is_workday else gettext("{date} 放假 {name}")
        return text.format(date=self.date, name=self.name)


class ThresholdState(models.Model):
    """The yellow threshold (``CIVICGRID_YELLOW_FRACTION``) the open requests' next checks were
    last scheduled with (one row): when the setting differs, the deadline scan makes them all
    due again (``requests.services.warnings.reschedule_for_threshold``). None: not known."""

    yellow_fraction = models.FloatField(_("黄灯阈值"), null=True, blank=True)
    changed_at = models.DateTimeField(_("重排时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("黄灯阈值记录")
        verbose_name_plural = _("黄灯阈值记录")

    def __str__(self) -> str:
        return f"{self.yellow_fraction}"
