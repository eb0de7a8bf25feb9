"""The three rates (三率) as exact fractions of raw counts; rounded only for display.

The formulas are written out in ``docs/formulas.md`` ("Respond upon receipt").
"""

import calendar
import re
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from operator import add, neg
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from civicgrid.core.errors import ValidationError
from civicgrid.core.validators import typed_day

COUNT_FIELDS = (
    "rated",
    "contacted",
    "solved",
    "partly",
    "unsolved",
    "satisfied",
    "basic",
    "unsatisfied",
    "received",
    "closed",
    "reopened",
)


@dataclass(frozen=True)
class Counts:
    """Raw counts of one group in one period. Sums of counts are exact."""

    rated: int = 0
    contacted: int = 0
    solved: int = 0
    partly: int = 0
    unsolved: int = 0
    satisfied: int = 0
    basic: int = 0
    unsatisfied: int = 0
    received: int = 0
    closed: int = 0
    reopened: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(*map(add, self.as_tuple(), other.as_tuple()))

    def __neg__(self) -> "Counts":
        return Counts(*map(neg, self.as_tuple()))

    def as_tuple(self) -> tuple[int, ...]:
        return (
            self.rated,
            self.contacted,
            self.solved,
            self.partly,
            self.unsolved,
            self.satisfied,
            self.basic,
            self.unsatisfied,
            self.received,
            self.closed,
            self.reopened,
        )

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def of(cls, row: dict[str, Any]) -> "Counts":
        return cls(**{f: int(row.get(f) or 0) for f in COUNT_FIELDS})


ZERO = Counts()


def total(counts: "list[Counts] | Any") -> Counts:
    result = ZERO
    for c in counts:
        result = result + c
    return result


def _fraction(value: float | int | str) -> Fraction:
    """A setting such as 0.45 as the exact decimal it was written as (9/20, not a binary float)."""
    return Fraction(str(value))


@dataclass(frozen=True)
class Weights:
    response: Fraction
    resolution: Fraction
    satisfaction: Fraction
    partly: Fraction
    basic: Fraction

    @classmethod
    def from_settings(cls) -> "Weights":
        w = settings.RATES_WEIGHTS
        return _weights(
            w["response"],
            w["resolution"],
            w["satisfaction"],
            settings.RATES_PARTLY_SOLVED_WEIGHT,
            settings.RATES_BASIC_SATISFIED_WEIGHT,
        )

    def shown(self) -> dict[str, str]:
        """The weights as written in the settings, for pages, files and the API: the composite's
        as decimals ("0.1", "0.45"), the partial credits likewise ("0.5", "0.8")."""
        return {
            "response": decimal_text(self.response),
            "resolution": decimal_text(self.resolution),
            "satisfaction": decimal_text(self.satisfaction),
            "partly": decimal_text(self.partly),
            "basic": decimal_text(self.basic),
        }

    def note(self) -> str:
        """One line saying which weights the figures were computed with (an assessment
        published from a page or a file can then be recomputed)."""
        return _(
            "计算口径：综合得分 = 100 ×（响应率 × {response} + 解决率 × {resolution} + "
            "满意率 × {satisfaction}）；"
            "部分解决按 {partly} 件计，基本满意按 {basic} 件计。"
        ).format(**self.shown())


def decimal_text(value: Fraction) -> str:
    """A weight read from a decimal setting, written back as that decimal (9/20 → "0.45")."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return format(exact.normalize(), "f")


@lru_cache(maxsize=8)
def _weights(*values: float) -> Weights:
    return Weights(*(_fraction(v) for v in values))


@dataclass(frozen=True)
class Rates:
    """The rates of one group: ``None`` where the denominator is zero."""

    counts: Counts
    response: Fraction | None
    resolution: Fraction | None
    satisfaction: Fraction | None
    composite: Fraction | None
    rework: Fraction | None

    def display(self) -> dict[str, str]:
        return {
            "response": pct(self.response),
            "resolution": pct(self.resolution),
            "satisfaction": pct(self.satisfaction),
            "composite": score(self.composite),
            "rework": pct(self.rework),
        }

    def chart(self) -> dict[str, float | None]:
        """Rounded figures for charts (the same 2-decimal rounding as the tables)."""
        return {
            "response": _float(percent(self.response)),
            "resolution": _float(percent(self.resolution)),
            "satisfaction": _float(percent(self.satisfaction)),
            "composite": _float(rounded(self.composite)),
            "rework": _float(percent(self.rework)),
        }


def rates_of(counts: Counts, weights: Weights | None = None) -> Rates:
    """The formulas of docs/formulas.md, in integer arithmetic over one common denominator."""
    w = weights or Weights.from_settings()
    n = counts.rated
    rework = Fraction(counts.reopened, counts.closed) if counts.closed else None
    if n == 0:
        return Rates(counts, None, None, None, None, rework)
    pn, pd = w.partly.numerator, w.partly.denominator
    bn, bd = w.basic.numerator, w.basic.denominator
    solved = counts.solved * pd + pn * counts.partly  # resolution = solved / (pd·n)
    satisfied = counts.satisfied * bd + bn * counts.basic  # satisfaction = satisfied / (bd·n)
    (rn, rd), (sn, sd), (tn, td) = (
        (x.numerator, x.denominator) for x in (w.response, w.resolution, w.satisfaction)
    )
    composite = Fraction(
        100
        * (
            rn * counts.contacted * sd * td * pd * bd
            + sn * solved * rd * td * bd
            + tn * satisfied * rd * sd * pd
        ),
        rd * sd * td * pd * bd * n,
    )
    return Rates(
        counts,
        Fraction(counts.contacted, n),
        Fraction(solved, pd * n),
        Fraction(satisfied, bd * n),
        composite,
        rework,
    )


def rounded(value: Fraction | None, places: int = 2) -> Decimal | None:
    """Round half up (away from zero) to ``places`` decimals, in integers from the exact fraction."""
    if value is None:
        return None
    scaled = abs(value) * 10**places
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    return Decimal(-whole if value < 0 else whole).scaleb(-places)


def percent(value: Fraction | None) -> Decimal | None:
    return None if value is None else rounded(value * 100)


def pct(value: Fraction | None) -> str:
    shown = percent(value)
    return "—" if shown is None else f"{shown}%"


def score(value: Fraction | None) -> str:
    shown = rounded(value)
    return "—" if shown is None else str(shown)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# Periods ---------------------------------------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Whole days from ``start`` to ``end`` (both included), in the local time zone."""

    start: date
    end: date

    @classmethod
    def month(cls, month: date) -> "Period":
        first = month_start(month)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        return cls(first, last)

    @classmethod
    def week(cls, day: date) -> "Period":
        monday = day - timedelta(days=day.weekday())
        return cls(monday, monday + timedelta(days=6))

    @property
    def whole_month(self) -> date | None:
        """The month when the period is exactly one calendar month, else None."""
        return self.start if Period.month(self.start) == self else None

    @property
    def label(self) -> str:
        if self.whole_month:
            return _("{year}年{month}月").format(year=self.start.year, month=self.start.month)
        return _("{start:%Y-%m-%d} 至 {end:%Y-%m-%d}").format(start=self.start, end=self.end)

    def months(self) -> list[date]:
        """The calendar months the period touches."""
        result, month = [], month_start(self.start)
        while month <= self.end:
            result.append(month)
            month = add_months(month, 1)
        return result


# Months and weeks a page may be asked for: far enough from the calendar's ends that a month
# before or after (the ranking's last month, a trend, a week's Sunday) is still a date.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def check_year(day: date, *, field: str) -> date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError(
            _("日期应在 {first} 年至 {last} 年之间").format(first=FIRST_YEAR, last=LAST_YEAR), field=field
        )
    return day


MONTH_FORMAT = re.compile(r"([0-9]{4})-([0-9]{2})")


def parse_month(raw: str, *, field: str = "month") -> date:
    """A ``YYYY-MM`` month (the rates and ranking pages, their API, the governance figures,
    ``rates_rollup``), strictly: ``2026-1`` or ``26-01`` is refused with the same message that
    names the format, not read as January."""
    matched = MONTH_FORMAT.fullmatch(raw.strip())
    try:
        if matched is None:
            raise ValueError(raw)
        first = date(int(matched[1]), int(matched[2]), 1)
    except ValueError as exc:
        raise ValidationError(_("月份格式应为 YYYY-MM，例如 2026-10"), field=field) from exc
    return check_year(first, field=field)


MAX_RANGE_DAYS = 366 * 3


def parse_range(start: str, end: str) -> Period:
    for raw, field, missing in ((start, "start", _("请填写开始日期")), (end, "end", _("请填写结束日期"))):
        if not raw.strip():  # one end left blank: say so, not "should be a valid date"
            raise ValidationError(missing, field=field)
    first = check_year(typed_day(start, field="start", label=_("开始日期")), field="start")
    last = check_year(typed_day(end, field="end", label=_("结束日期")), field="end")
    if last < first:
        raise ValidationError(_("结束日期不能早于开始日期"), field="end")
    if (last - first).days > MAX_RANGE_DAYS:
        raise ValidationError(_("统计区间最长三年"), field="end")
    return Period(first, last)
