"""Monthly ranking of subdistricts, departments and enterprises (月度排名) and its classes.

Thresholds are settings with the defaults below (documented in ``docs/formulas.md``):
``RATES_MIN_RATINGS`` (5), ``RATES_ADVANCED_SHARE`` (0.10), ``RATES_BOTTOM_SHARE`` (0.10),
``RATES_BUSY_SHARE`` (0.20), ``RATES_IMPROVING_PLACES`` (3), ``RATES_BOTTOM_LIST`` (10).
"""

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from math import floor

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_lazy

from civicgrid.core.errors import ValidationError
from civicgrid.requests.constants import UnitKind
from civicgrid.requests.models import HandlingUnit
from civicgrid.requests.rates.cells import AUTO, BY_UNIT, Slice, by_unit, cells, current_month, raw_cells
from civicgrid.requests.rates.figures import (
    ZERO,
    Counts,
    Period,
    Rates,
    Weights,
    add_months,
    parse_month,
    rates_of,
)

RANKED_KINDS = (UnitKind.SUBDISTRICT, UnitKind.DEPARTMENT, UnitKind.ENTERPRISE)

DEFAULTS: dict[str, float | int] = {
    "RATES_MIN_RATINGS": 5,
    "RATES_ADVANCED_SHARE": 0.10,
    "RATES_BOTTOM_SHARE": 0.10,
    "RATES_BUSY_SHARE": 0.20,
    "RATES_IMPROVING_PLACES": 3,
    "RATES_BOTTOM_LIST": 10,
}


class RankClass(models.TextChoices):
    ADVANCED = "advanced", gettext_lazy("先进类")
    IMPROVING = "improving", gettext_lazy("进步类")
    RECTIFICATION = "rectification", gettext_lazy("整改类")
    GOVERNANCE = "governance", gettext_lazy("治理类")


@dataclass(frozen=True)
class Thresholds:
    min_ratings: int
    advanced_share: Fraction
    bottom_share: Fraction
    busy_share: Fraction
    improving_places: int
    bottom_list: int

    @classmethod
    def from_settings(cls) -> "Thresholds":
        def get(name: str) -> float | int:
            value: float | int = getattr(settings, name, DEFAULTS[name])
            return value

        return cls(
            min_ratings=int(get("RATES_MIN_RATINGS")),
            advanced_share=Fraction(str(get("RATES_ADVANCED_SHARE"))),
            bottom_share=Fraction(str(get("RATES_BOTTOM_SHARE"))),
            busy_share=Fraction(str(get("RATES_BUSY_SHARE"))),
            improving_places=int(get("RATES_IMPROVING_PLACES")),
            bottom_list=int(get("RATES_BOTTOM_LIST")),
        )

    def shown(self) -> dict[str, str]:
        """The shares as percentages, for pages."""

        def pct(share: Fraction) -> str:
            hundred = share * 100
            return f"{hundred.numerator}%" if hundred.denominator == 1 else f"{float(hundred):.2f}%"

        return {
            "advanced": pct(self.advanced_share),
            "bottom": pct(self.bottom_share),
            "busy": pct(self.busy_share),
        }

    def note(self) -> str:
        """The class thresholds in one line, for the ranking's Excel (the page says them in full)."""
        shares = self.shown()
        return gettext(
            "分类口径：先进类为前 {advanced}（至少 1 个）；"
            "后 {bottom} 中受理量居前 {busy} 的为治理类，其余为整改类；"
            "进步类为比上月上升 {places} 名及以上；评价不足 {min_ratings} 件不参与排名"
        ).format(**shares, places=self.improving_places, min_ratings=self.min_ratings)


def share_count(share: Fraction, n: int) -> int:
    """How many units a share of ``n`` covers: ⌊n·share⌋, at least 1 (0 when there are none)."""
    return max(1, floor(n * share)) if n else 0


@dataclass
class RankRow:
    unit_id: int
    code: str
    name: str
    node_path: str
    rates: Rates
    rank: int | None = None
    previous_rank: int | None = None
    received_rank: int | None = None
    busy: bool = False
    in_bottom: bool = False
    klass: str = ""

    @property
    def counts(self) -> Counts:
        return self.rates.counts

    @property
    def rise(self) -> int | None:
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    @property
    def movement(self) -> str:
        rise = self.rise
        if rise is None:
            return "—"
        return f"↑{rise}" if rise > 0 else (f"↓{-rise}" if rise < 0 else gettext("持平"))

    @property
    def klass_label(self) -> str:
        return str(RankClass(self.klass).label) if self.klass else ""

    def signature(self) -> tuple[object, ...]:
        r = self.rates
        return (self.unit_id, self.counts.as_tuple(), r.composite, self.rank, self.previous_rank, self.klass)


@dataclass
class Ranking:
    month: date
    kind: str
    thresholds: Thresholds
    source: str
    ranked: list[RankRow] = field(default_factory=list)
    unranked: list[RankRow] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return str(UnitKind(self.kind).label)

    @property
    def bottom(self) -> list[RankRow]:
        """The bottom list (后十名): the last ``RATES_BOTTOM_LIST`` ranked units, the last
        first. Empty when no more units are ranked than the list holds: it would only
        repeat the whole table."""
        size = self.thresholds.bottom_list
        if size <= 0 or len(self.ranked) <= size:
            return []
        return self.ranked[::-1][:size]

    def of_class(self, klass: str) -> list[RankRow]:
        return [row for row in self.ranked if row.klass == klass]

    def rows(self) -> list[RankRow]:
        return [*self.ranked, *self.unranked]


def _competition_ranks(values: dict[int, Fraction | int]) -> dict[int, int]:
    """1 + the number of units strictly better (equal values share a rank: 1, 2, 2, 4).

    Sorted by (float, exact value): a correctly rounded float never puts two values the
    wrong way round, so exact fractions are compared only where their floats tie.
    """
    ordered = sorted(values.items(), key=lambda item: (float(item[1]), item[1]), reverse=True)
    ranks: dict[int, int] = {}
    rank, previous = 0, None
    for position, (key, value) in enumerate(ordered, start=1):
        if rank == 0 or value != previous:
            rank, previous = position, value
        ranks[key] = rank
    return ranks


def _ranks(rates: dict[int, Rates], min_ratings: int) -> dict[int, int]:
    composites: dict[int, Fraction | int] = {
        unit_id: r.composite
        for unit_id, r in rates.items()
        if r.counts.rated >= min_ratings and r.composite is not None
    }
    return _competition_ranks(composites)


def _unit_rates(
    month: date, unit_ids: frozenset[int], source: str, weights: Weights
) -> tuple[dict[int, Rates], str]:
    found, used = cells(Period.month(month), Slice(unit_ids=unit_ids), source=source, by=BY_UNIT)
    grouped = by_unit(found)
    return {uid: rates_of(grouped.get(uid, ZERO), weights) for uid in unit_ids}, used


def _classify(rows: list[RankRow], t: Thresholds) -> None:
    n = len(rows)
    if not n:
        return
    by_received = _competition_ranks({r.unit_id: r.counts.received for r in rows})
    bottom_ranks = _competition_ranks({r.unit_id: -(r.rates.composite or 0) for r in rows})
    advanced, bottom, busy = (share_count(s, n) for s in (t.advanced_share, t.bottom_share, t.busy_share))
    for row in rows:
        assert row.rank is not None
        row.received_rank = by_received[row.unit_id]
        row.busy = row.received_rank <= busy and row.counts.received > 0
        row.in_bottom = bottom_ranks[row.unit_id] <= bottom
        if row.rank <= advanced:
            row.klass = RankClass.ADVANCED
        elif row.in_bottom:
            row.klass = RankClass.GOVERNANCE if row.busy else RankClass.RECTIFICATION
        elif row.rise is not None and row.rise >= t.improving_places:
            row.klass = RankClass.IMPROVING


def _units_of(kind: str) -> list[HandlingUnit]:
    """Every unit of ``kind``, active or not (a unit is stopped, never deleted)."""
    return list(
        HandlingUnit.objects.filter(kind=kind).only("code", "name", "node_path", "is_active").order_by("code")
    )


def _worked(counts: Counts) -> bool:
    """Any count in the period: a request received, a rating, a closure or a reopening."""
    return any(counts.as_tuple())


def ranking(month: date, kind: str, *, source: str = AUTO, weights: Weights | None = None) -> Ranking:
    """The month's ranking of the units of ``kind`` by composite score.

    Listed: the units active now, and the units stopped since that worked in the month (any
    request, rating, closure or reopening of theirs in it). Ranked: every unit of the kind
    with enough ratings in the month, active now or not, and last month's ranks likewise: so
    stopping a unit never rewrites a month it was ranked in, nor the ranks next to it.
    """
    if kind not in RANKED_KINDS:
        raise ValueError(f"not a ranked unit kind: {kind}")
    t, w = Thresholds.from_settings(), weights or Weights.from_settings()
    units = _units_of(kind)
    ids = frozenset(u.pk for u in units)
    current, used = _unit_rates(month, ids, source, w)
    previous, _ = _unit_rates(add_months(month, -1), ids, source, w)
    ranks = _ranks(current, t.min_ratings)
    previous_ranks = _ranks(previous, t.min_ratings)
    result = Ranking(month=month, kind=kind, thresholds=t, source=used)
    for u in units:
        if not u.is_active and u.pk not in ranks and not _worked(current[u.pk].counts):
            continue
        row = RankRow(u.pk, u.code, u.name, u.node_path, current[u.pk])
        row.rank, row.previous_rank = ranks.get(u.pk), previous_ranks.get(u.pk)
        (result.ranked if row.rank is not None else result.unranked).append(row)
    result.ranked.sort(key=lambda r: (r.rank, r.code))
    _classify(result.ranked, t)
    return result


def rankings(month: date, *, source: str = AUTO) -> dict[str, Ranking]:
    return {kind: ranking(month, kind, source=source) for kind in RANKED_KINDS}


@dataclass
class RecomputeCheck:
    month: date
    compared: int = 0
    sources: dict[str, str] = field(default_factory=dict)
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def _raw_signatures(
    month: date, kind: str, listed: set[int], found: dict[date, dict[int | None, Counts]], t: Thresholds
) -> dict[int, tuple[object, ...]]:
    """The month's ranking of ``kind`` recounted on its own from raw rows: the units come from
    the raw rows (every unit of the kind that worked in the month), not from the list
    ``ranking()`` draws up, so a unit that list leaves out shows as a difference."""
    w = Weights.from_settings()
    kind_ids = set(HandlingUnit.objects.filter(kind=kind).values_list("pk", flat=True))
    this = {uid: c for uid, c in found[month].items() if uid in kind_ids}
    last = {uid: c for uid, c in found[add_months(month, -1)].items() if uid in kind_ids}
    ranks = _ranks({uid: rates_of(c, w) for uid, c in this.items()}, t.min_ratings)
    previous_ranks = _ranks({uid: rates_of(c, w) for uid, c in last.items()}, t.min_ratings)
    rows = []
    for uid in sorted(listed | {uid for uid, c in this.items() if _worked(c)}):
        row = RankRow(uid, "", "", "", rates_of(this.get(uid, ZERO), w))
        row.rank, row.previous_rank = ranks.get(uid), previous_ranks.get(uid)
        rows.append(row)
    ranked = sorted((r for r in rows if r.rank is not None), key=lambda r: (r.rank, r.unit_id))
    _classify(ranked, t)
    return {r.unit_id: r.signature() for r in rows}


def ranking_recompute_check(month: date) -> RecomputeCheck:
    """Recompute every ranking of ``month`` from raw rows and compare it with ``ranking()``:
    counts, composite, rank, last month's rank and class of every unit either lists."""
    check = RecomputeCheck(month=month)
    t = Thresholds.from_settings()
    found = {m: by_unit(raw_cells(Period.month(m), by=BY_UNIT)) for m in (month, add_months(month, -1))}
    for kind in RANKED_KINDS:
        served = ranking(month, kind)
        check.sources[kind] = served.source
        served_rows = {r.unit_id: r.signature() for r in served.rows()}
        raw_rows = _raw_signatures(month, kind, set(served_rows), found, t)
        check.compared += len(served_rows.keys() | raw_rows.keys())
        for unit_id in sorted(served_rows.keys() | raw_rows.keys()):
            if served_rows.get(unit_id) != raw_rows.get(unit_id):
                check.differences.append(
                    gettext("{kind} 单位#{unit_id}: 排名 {served} ≠ 原始 {raw}").format(
                        kind=kind, unit_id=unit_id, served=served_rows.get(unit_id), raw=raw_rows.get(unit_id)
                    )
                )
    return check


def ranking_month(raw: str) -> date:
    """The month a ranking is asked for (last month by default), for the page and the API; one
    not yet begun has no ranking, not even a preview of zeros (as the weekly report refuses a
    week not begun)."""
    raw = raw.strip()
    if not raw:
        return add_months(current_month(), -1)
    month = parse_month(raw)
    if month > current_month():
        raise ValidationError(gettext("所选月份尚未开始，请选择本月或以前的月份"), field="month")
    return month


def node_not_ranked() -> str:
    """Why ``?node=`` is refused on the ranking (page and API): it ranks the units of the whole
    district against each other and has no area to narrow to; a node silently ignored read as
    that area's ranking."""
    return gettext("月度排名是全区各单位之间的排名，不按区域筛选（不支持 node 参数）")
