"""Solve before asked (未诉先办): seasonal problems proposed ahead, and governance-priority places.

**Proposals.** For each season that starts within ``lead_days`` (default 120: heating is
fixed in summer, drains before the rains) of today, and
each place (community) and category group (first two levels of the code), count the
requests of the same season in each of the previous ``years`` (default 3) years. The
problem is *recurring* when at least ``min_years`` (2) of those seasons had ``min_count``
(3) requests or more, and *seasonal* when its monthly rate in the season is at least
``concentration`` (2×) its monthly rate in the rest of those years. Each such problem
becomes one ``SeasonalProposal`` (unique per place, category group and season start), to
be accepted by a leader as a planned task due a week before the season.

**Governance-priority subdistricts (治理类).** For a month, each subdistrict in scope gets
requests received per 10,000 registered residents and its three rates
(``civicgrid.requests.rates``). It is flagged when its requests per 10,000 are at least
``load_ratio`` (1.2×) those of all subdistricts in scope together (never when the area or
the subdistrict received none), and its composite score is below theirs.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import require_any, scope_filter
from civicgrid.core.audit import audit_write
from civicgrid.core.i18n import StrOrPromise
from civicgrid.governance.hot import GROUP_CODE_LENGTH, _areas, _bounds
from civicgrid.governance.models import Season, SeasonalProposal
from civicgrid.registry.selectors import residents_count_under_each
from civicgrid.requests.constants import UnitKind
from civicgrid.requests.models import Category, HandlingUnit, Request
from civicgrid.requests.permissions import SYSTEM
from civicgrid.requests.rates import Counts, Period, Rates, rates_of
from civicgrid.requests.rates.access import asked_period
from civicgrid.requests.rates.cells import BY_AREA, Slice, by_paths, cells, current_month
from civicgrid.requests.rates.figures import add_months
from civicgrid.requests.rates.ranking import RankClass, ranking
from civicgrid.territory.models import Node, NodeKind

# Season → (first month, number of months).
SEASONS: dict[str, tuple[int, int]] = {  # Season values are str
    Season.WINTER: (11, 4),
    Season.SPRING: (3, 3),
    Season.SUMMER: (6, 3),
    Season.AUTUMN: (9, 2),
}
SEASON_WORDS: dict[str, StrOrPromise] = {
    Season.WINTER: gettext_lazy("入冬前"),
    Season.SPRING: gettext_lazy("开春前"),
    Season.SUMMER: gettext_lazy("汛期前"),
    Season.AUTUMN: gettext_lazy("入秋前"),
}


def season_range(season: str, year: int) -> tuple[date, date]:
    """First day of the season in ``year`` and the first day after it."""
    first, months = SEASONS[season]
    start = date(year, first, 1)
    index = year * 12 + first - 1 + months
    return start, date(index // 12, index % 12 + 1, 1)


def upcoming(today: date, lead_days: int) -> list[tuple[str, date]]:
    """Seasons starting after today and within ``lead_days``."""
    found = []
    for season in SEASONS:
        for year in (today.year, today.year + 1):
            start, _ = season_range(season, year)
            if today < start <= today + timedelta(days=lead_days):
                found.append((season, start))
    return found


@dataclass(frozen=True)
class ProposalRule:
    lead_days: int = 120
    years: int = 3
    min_count: int = 3
    min_years: int = 2
    concentration: float = 2.0


def _aware(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=timezone.get_current_timezone())


def _counts(start: date, end: date) -> dict[tuple[str, str], Counter[int]]:
    """(community, category group) → Counter of leaf category ids, of requests in [start, end)."""
    rows: list[dict[str, Any]] = list(
        Request.objects.filter(
            received_at__gte=_aware(start), received_at__lt=_aware(end), category__isnull=False
        )
        .values("node_path", "category_id", "category__code")
        .annotate(n=Count("id"))
        .order_by()
    )
    areas = _areas([r["node_path"] for r in rows])
    found: dict[tuple[str, str], Counter[int]] = defaultdict(Counter)
    for r, area in zip(rows, areas, strict=True):
        found[(area, r["category__code"][:GROUP_CODE_LENGTH])][r["category_id"]] += r["n"]
    return found


def _months(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


@dataclass
class Candidate:
    area: str
    prefix: str
    season: str
    start: date
    by_year: dict[int, int] = field(default_factory=dict)
    leaves: Counter[int] = field(default_factory=Counter)
    off_season: int = 0
    off_months: int = 0
    in_months: int = 0


def candidates(today: date, rule: ProposalRule) -> list[Candidate]:
    found: list[Candidate] = []
    for season, start in upcoming(today, rule.lead_days):
        per: dict[tuple[str, str], Candidate] = {}
        history_start, _ = season_range(season, start.year - rule.years)
        in_months = 0
        for back in range(1, rule.years + 1):
            s, e = season_range(season, start.year - back)
            in_months += _months(s, e)
            for key, leaves in _counts(s, e).items():
                c = per.setdefault(key, Candidate(key[0], key[1], season, start))
                c.by_year[start.year - back] = sum(leaves.values())
                c.leaves.update(leaves)
        until = min(start, today)
        whole = _counts(history_start, until)
        for key, c in per.items():
            c.in_months = in_months
            c.off_months = _months(history_start, until) - in_months
            c.off_season = sum(whole.get(key, Counter()).values()) - sum(c.by_year.values())
            found.append(c)
    return found


def recurring(c: Candidate, rule: ProposalRule) -> bool:
    years = sum(1 for n in c.by_year.values() if n >= rule.min_count)
    if years < rule.min_years:
        return False
    in_rate = sum(c.by_year.values()) / max(c.in_months, 1)
    off_rate = max(c.off_season, 0) / max(c.off_months, 1)
    return in_rate >= rule.concentration * off_rate


@transaction.atomic
def _propose(c: Candidate, rule: ProposalRule) -> SeasonalProposal | None:
    node = Node.objects.filter(path=c.area).first()
    leaf_id = c.leaves.most_common(1)[0][0]
    leaf = Category.objects.filter(pk=leaf_id).first()
    if node is None or leaf is None:
        return None
    label = leaf.name
    counts = [n for n in c.by_year.values()]
    try:
        with transaction.atomic():
            proposal = SeasonalProposal.objects.create(
                node=node,
                node_path=node.path,
                category=leaf,
                category_prefix=c.prefix,
                season=c.season,
                season_start=c.start,
                evidence={str(y): n for y, n in sorted(c.by_year.items())},
                expected=round(sum(counts) / rule.years, 1),
                title=gettext("{season}排查整治{name}“{label}”问题").format(
                    season=SEASON_WORDS[c.season], name=node.name, label=label
                )[:200],
            )
    except IntegrityError:
        return None  # proposed already
    audit_write(
        actor=SYSTEM,
        verb="governance.proposal_created",
        target=proposal,
        node=node,
        after={"season": c.season, "start": str(c.start), "evidence": proposal.evidence},
    )
    return proposal


def proposals_generate(
    *, today: date | None = None, rule: ProposalRule | None = None
) -> list[SeasonalProposal]:
    """Propose the recurring seasonal problems of the coming seasons (idempotent)."""
    today = today or timezone.localdate()
    rule = rule or ProposalRule()
    made = []
    for c in candidates(today, rule):
        if recurring(c, rule) and (p := _propose(c, rule)) is not None:
            made.append(p)
    return made


# Governance-priority subdistricts -----------------------------------------------------------


@dataclass
class PriorityRow:
    node: Node
    residents: int
    counts: Counts
    rates: Rates
    per_10k: Fraction | None
    rank_class: str = ""
    flagged: bool = False
    reasons: list[str] = field(default_factory=list)

    @property
    def per_10k_shown(self) -> str:
        return "—" if self.per_10k is None else f"{float(self.per_10k):.1f}"

    @property
    def rank_class_label(self) -> str:
        return str(RankClass(self.rank_class).label) if self.rank_class else ""


@dataclass
class Priority:
    month: date
    rows: list[PriorityRow]
    per_10k: Fraction | None
    rates: Rates
    load_ratio: Fraction

    @property
    def flagged(self) -> list[PriorityRow]:
        return [r for r in self.rows if r.flagged]


LOAD_RATIO = Fraction(6, 5)


def _per_10k(received: int, residents: int) -> Fraction | None:
    return Fraction(received * 10_000, residents) if residents else None


def priority_month(raw: str) -> date:
    """The month asked of the priority list (page and API): last month by default; a month
    not yet begun has no figures and is refused, as the rates pages refuse it."""
    return asked_period(raw, "", "").start if raw.strip() else add_months(current_month(), -1)


def priority_subdistricts(actor: Any, month: date) -> Priority:
    require_any(actor, Capability.GOVERNANCE_VIEW)  # no scope is an answer of 403, not an empty list
    subs = list(
        scope_filter(
            Node.objects.filter(kind=NodeKind.SUBDISTRICT, is_active=True),
            actor,
            Capability.GOVERNANCE_VIEW,
            "path",
        ).order_by("path")
    )
    paths = [s.path for s in subs]
    found, _ = cells(Period.month(month), Slice(paths=tuple(paths)), by=BY_AREA)
    counts = by_paths(found, paths)
    residents_of = residents_count_under_each(subs)
    classes = _rank_classes(month)
    rows = []
    for sub in subs:
        c = counts.get(sub.path, Counts())
        residents = residents_of[sub.path]
        rows.append(
            PriorityRow(
                sub, residents, c, rates_of(c), _per_10k(c.received, residents), classes.get(sub.pk, "")
            )
        )
    total_counts = sum((r.counts for r in rows), Counts())
    total_residents = sum(r.residents for r in rows)
    overall = rates_of(total_counts)
    per_10k = _per_10k(total_counts.received, total_residents)
    for r in rows:
        # No load is high where nothing was asked: with no requests in the area (rate 0) every
        # subdistrict's 0 would be "at least 1.2× of 0"; a subdistrict without requests is never high.
        high = (
            per_10k is not None
            and per_10k > 0
            and r.per_10k is not None
            and r.counts.received > 0
            and r.per_10k >= LOAD_RATIO * per_10k
        )
        poor = (
            overall.composite is not None
            and r.rates.composite is not None
            and r.rates.composite < overall.composite
        )
        if high:
            r.reasons.append(gettext("每万人诉求量高"))
        if poor:
            r.reasons.append(gettext("综合得分低于辖区"))
        if r.rank_class == RankClass.GOVERNANCE:
            r.reasons.append(gettext("月度排名治理类"))
        r.flagged = (high and poor) or r.rank_class == RankClass.GOVERNANCE
    rows.sort(key=lambda r: (not r.flagged, -(r.per_10k or 0), r.node.path))
    return Priority(month, rows, per_10k, overall, LOAD_RATIO)


def _rank_classes(month: date) -> dict[int, str]:
    """Subdistrict node id → class of its subdistrict unit in the month's ranking."""
    board = ranking(month, UnitKind.SUBDISTRICT)
    units = dict(HandlingUnit.objects.filter(kind=UnitKind.SUBDISTRICT).values_list("pk", "node_id"))
    return {units[r.unit_id]: r.klass for r in board.ranked if r.klass and r.unit_id in units}


def month_bounds(month: date) -> tuple[datetime, datetime]:
    return _bounds(Period.month(month))
