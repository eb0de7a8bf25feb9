"""Monthly rollups of the three rates (三率月度汇总), rebuilt exactly from raw rows.

One ``RateRollup`` row holds the raw counts of one month for one handling unit in one
area: ``area_path`` is the path of the subdistrict that contains the place, or the place
itself when it lies above any subdistrict. ``RateRollupMonth`` says that a month has been
built (``civicgrid rates_rollup --month 2026-10``); a month without it is read from the
raw rows. The counts are plain integers, so sums over rows are exact (see
``docs/formulas.md``, "Respond upon receipt").
"""

from django.db import models

__all__ = ["RateRollup", "RateRollupMonth"]


class RateRollupMonth(models.Model):
    month = models.DateField("考核月份", unique=True)
    built_at = models.DateTimeField("生成时间")
    rated = models.PositiveIntegerField("评价件次", default=0)
    cells = models.PositiveIntegerField("汇总行数", default=0)

    class Meta:
        verbose_name = "三率月度汇总"
        verbose_name_plural = "三率月度汇总"
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} 汇总"


class RateRollup(models.Model):
    month = models.DateField("考核月份")
    unit = models.ForeignKey(
        "requests.HandlingUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="承办单位",
    )
    area_path = models.CharField("所属街道路径", max_length=255)
    rated = models.PositiveIntegerField(default=0)
    contacted = models.PositiveIntegerField(default=0)
    solved = models.PositiveIntegerField(default=0)
    partly = models.PositiveIntegerField(default=0)
    unsolved = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    basic = models.PositiveIntegerField(default=0)
    unsatisfied = models.PositiveIntegerField(default=0)
    received = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "三率汇总行"
        verbose_name_plural = "三率汇总行"
        indexes = [models.Index(fields=["month", "unit"], name="requests_rollup_month_unit")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.unit_id} {self.area_path}"
