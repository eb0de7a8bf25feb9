"""Rollups of the three rates (三率汇总): monthly counts kept exact by a journal of changes.

``RateRollup`` holds the raw counts of one month for one handling unit in one area:
``area_path`` is the path of the subdistrict that contains the place, or the place itself
when it lies above any subdistrict. ``RateRollupMonth`` says that a month has been built
from raw rows (``civicgrid rates_rollup``); a month without it is read from the raw rows.

``RateDelta`` is the journal: every change to a counted row (a rating given, a request
received, its lead unit or place changed, a close or reopen recorded, a row deleted) adds
one signed row in the same transaction as the change (``civicgrid.requests.rates.journal``).
Writers only ever insert deltas, so they never wait for each other. The figures of a built
month are its rollup rows plus its pending deltas, read in one statement; ``rollup_compact``
folds the deltas into the rollup now and then. The counts are plain integers, so every sum
is exact (see ``docs/formulas.md``, "Respond upon receipt").
"""

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

__all__ = ["RateDelta", "RateRollup", "RateRollupMonth"]


class RateRollupMonth(models.Model):
    """A built month (its row is also the lock of its rollup). ``rated`` and ``cells``: as built."""

    month = models.DateField(gettext_lazy("考核月份"), unique=True)
    built_at = models.DateTimeField(gettext_lazy("生成时间"))
    rated = models.PositiveIntegerField(gettext_lazy("评价件次"), default=0)
    cells = models.PositiveIntegerField(gettext_lazy("汇总行数"), default=0)

    class Meta:
        verbose_name = gettext_lazy("三率月度汇总")
        verbose_name_plural = gettext_lazy("三率月度汇总")
        ordering = ["-month"]

    def __str__(self) -> str:
        return _("{month:%Y-%m} 汇总").format(month=self.month)


class RateCounts(models.Model):
    """The eleven counts of ``civicgrid.requests.rates.figures.Counts`` (signed in deltas)."""

    rated = models.IntegerField(default=0)
    contacted = models.IntegerField(default=0)
    solved = models.IntegerField(default=0)
    partly = models.IntegerField(default=0)
    unsolved = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    basic = models.IntegerField(default=0)
    unsatisfied = models.IntegerField(default=0)
    received = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)

    class Meta:
        abstract = True


class RateRollup(RateCounts):
    month = models.DateField(gettext_lazy("考核月份"))
    unit = models.ForeignKey(
        "requests.HandlingUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("承办单位"),
    )
    area_path = models.CharField(gettext_lazy("所属街道路径"), max_length=255)

    class Meta:
        verbose_name = gettext_lazy("三率汇总行")
        verbose_name_plural = gettext_lazy("三率汇总行")
        indexes = [models.Index(fields=["month", "unit"], name="requests_rollup_month_unit")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.unit_id} {self.area_path}"


class RateDelta(RateCounts):
    """One change to the counts of (month, unit, place), not yet folded into the rollup.

    ``place`` is the raw ``node_path`` (the rollup maps it to its area when folding). No
    foreign-key constraint or index on ``unit``: inserting a delta takes no lock on the unit
    row and updates one index only.
    """

    month = models.DateField(gettext_lazy("考核月份"))
    unit = models.ForeignKey(
        "requests.HandlingUnit",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name=gettext_lazy("承办单位"),
    )
    place = models.CharField(gettext_lazy("地点路径"), max_length=255)

    class Meta:
        verbose_name = gettext_lazy("三率变动")
        verbose_name_plural = gettext_lazy("三率变动")
        indexes = [models.Index(fields=["month"], name="requests_ratedelta_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.unit_id} {self.place}"
