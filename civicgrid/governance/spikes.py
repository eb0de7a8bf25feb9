"""Spikes (突发预警): a sudden rise of one category group in one place.

Run every minute by ``civicgrid governance_tick`` (or the ``governance_tick`` task). The
rule, for each place (the community containing the request's place) and category group
(first two levels of the code) with requests in the last ``W`` minutes:

* observed ``x`` = requests received in ``(now − W, now]``;
* baseline ``λ = max(λ_week, λ_recent, λ_min)`` where ``λ_week`` is the mean count of the
  same ``W`` minutes of the same hour of the week over the previous ``B`` weeks,
  ``λ_recent`` the count of the previous 28 days scaled to ``W`` minutes, and ``λ_min`` a
  floor (a place that never called still needs several calls);
* alert when ``x ≥ x_min`` and the Poisson tail ``P(X ≥ x | λ) < α``.

Defaults: ``W`` = 60, ``B`` = 8, ``λ_min`` = 0.2, ``x_min`` = 5, ``α`` = 1e-4; settings
``GOVERNANCE_SPIKE_*`` override them. A place and category has at most one alert that is
not ended (a partial unique constraint): a second tick, or two ticks at once, update it
and notify nobody twice. An alert ends after ``QUIET`` (180) minutes without the rule firing.
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from civicgrid.core.audit import audit_write
from civicgrid.governance.hot import GROUP_CODE_LENGTH, _areas
from civicgrid.governance.models import AlertStatus, SpikeAlert
from civicgrid.requests.constants import UnitKind
from civicgrid.requests.models import Category, HandlingUnit, Request
from civicgrid.requests.permissions import SYSTEM
from civicgrid.requests.unit_notify import notify_units
from civicgrid.territory.models import Node


@dataclass(frozen=True)
class Rule:
    window_minutes: int = 60
    baseline_weeks: int = 8
    recent_days: int = 28
    floor: float = 0.2
    min_count: int = 5
    alpha: float = 1e-4
    quiet_minutes: int = 180

    @classmethod
    def from_settings(cls) -> "Rule":
        names = {
            "window_minutes": "GOVERNANCE_SPIKE_WINDOW_MINUTES",
            "baseline_weeks": "GOVERNANCE_SPIKE_BASELINE_WEEKS",
            "floor": "GOVERNANCE_SPIKE_FLOOR",
            "min_count": "GOVERNANCE_SPIKE_MIN_COUNT",
            "alpha": "GOVERNANCE_SPIKE_ALPHA",
            "quiet_minutes": "GOVERNANCE_SPIKE_QUIET_MINUTES",
        }
        found = {k: getattr(settings, v) for k, v in names.items() if hasattr(settings, v)}
        return cls(**found)


def poisson_tail(x: int, lam: float) -> float:
    """P(X ≥ x) for X ~ Poisson(λ), summed in log space (exact enough for small x)."""
    if x <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    below = sum(math.exp(k * math.log(lam) - lam - math.lgamma(k + 1)) for k in range(x))
    return max(0.0, 1.0 - below) if below < 0.999 else _upper_sum(x, lam)


def _upper_sum(x: int, lam: float) -> float:
    """The tail summed directly from x upward (no cancellation when it is tiny)."""
    total, k = 0.0, x
    term = math.exp(k * math.log(lam) - lam - math.lgamma(k + 1))
    while term > 1e-300 and k < x + 1000:
        total += term
        k += 1
        term *= lam / k
    return total


@dataclass
class Finding:
    area_path: str
    prefix: str
    observed: int
    expected: float
    p_value: float
    first_at: datetime
    fires: bool


def _recent(now: datetime, rule: Rule) -> dict[tuple[str, str], list[datetime]]:
    since = now - timedelta(minutes=rule.window_minutes)
    rows = list(
        Request.objects.filter(
            received_at__gt=since, received_at__lte=now, category__isnull=False
        ).values_list("node_path", "category__code", "received_at")
    )
    areas = _areas([r[0] for r in rows])
    found: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for (_, code, at), area in zip(rows, areas, strict=True):
        found[(area, code[:GROUP_CODE_LENGTH])].append(at)
    return found


def baseline(area: str, prefix: str, now: datetime, rule: Rule) -> float:
    w = timedelta(minutes=rule.window_minutes)
    earliest = now - timedelta(weeks=rule.baseline_weeks) - w
    recent_from = now - timedelta(days=rule.recent_days)
    times = list(
        Request.objects.filter(
            node_path__startswith=area,
            category__code__startswith=prefix,
            received_at__gte=min(earliest, recent_from),
            received_at__lte=now - w,
        ).values_list("received_at", flat=True)
    )
    weekly = 0
    for k in range(1, rule.baseline_weeks + 1):
        end = now - timedelta(weeks=k)
        weekly += sum(1 for t in times if end - w < t <= end)
    lam_week = weekly / rule.baseline_weeks
    recent = sum(1 for t in times if t >= recent_from)
    lam_recent = recent * rule.window_minutes / (rule.recent_days * 24 * 60 - rule.window_minutes)
    return max(lam_week, lam_recent, rule.floor)


def evaluate(now: datetime | None = None, rule: Rule | None = None) -> list[Finding]:
    now = now or timezone.now()
    rule = rule or Rule.from_settings()
    findings = []
    for (area, prefix), times in sorted(_recent(now, rule).items()):
        x = len(times)
        if x < rule.min_count:
            continue
        lam = baseline(area, prefix, now, rule)
        p = poisson_tail(x, lam)
        findings.append(Finding(area, prefix, x, lam, p, min(times), p < rule.alpha))
    return findings


def _label(prefix: str) -> str:
    cat = Category.objects.filter(code=prefix, version__is_current=True).first()
    return cat.full_name if cat else prefix


def alert_units(alert: SpikeAlert) -> list[HandlingUnit]:
    """The units an alert is sent to: the subdistrict unit of its place and the category's
    responsible unit (they, with the place's leaders and community, act on it)."""
    return _recipients(alert.node, alert.category_prefix)


def _recipients(area: Node, prefix: str) -> list[HandlingUnit]:
    ancestors = [p for p in _prefixes(area.path)]
    units = list(
        HandlingUnit.objects.filter(kind=UnitKind.SUBDISTRICT, node_path__in=ancestors, is_active=True)
    )
    leaf = (
        Category.objects.filter(
            code__startswith=prefix, version__is_current=True, responsible_unit__isnull=False
        )
        .select_related("responsible_unit")
        .first()
    )
    if leaf is not None and leaf.responsible_unit is not None and leaf.responsible_unit not in units:
        units.append(leaf.responsible_unit)
    return units


def _prefixes(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _raise(finding: Finding, now: datetime, rule: Rule) -> SpikeAlert | None:
    area = Node.objects.get(path=finding.area_path)
    label = _label(finding.prefix)
    try:
        with transaction.atomic():
            alert = SpikeAlert.objects.create(
                node=area,
                node_path=area.path,
                category_prefix=finding.prefix,
                category_label=label[:255],
                window_minutes=rule.window_minutes,
                observed=finding.observed,
                expected=round(finding.expected, 4),
                p_value=finding.p_value,
                peak=finding.observed,
                first_request_at=finding.first_at,
                raised_at=now,
                last_seen_at=now,
            )
    except IntegrityError:
        return None  # another tick raised it a moment ago
    body = gettext(
        "【突发预警】{name}「{label}」近{window_minutes}分钟收到{observed}件诉求，"
        "往常同期约{expected:.1f}件，请立即核查处置。"
    ).format(
        name=area.name,
        label=label,
        window_minutes=rule.window_minutes,
        observed=finding.observed,
        expected=finding.expected,
    )
    notify_units(  # one message per person, also to someone in both units
        _recipients(area, finding.prefix),
        dedupe_key=f"spike:{alert.pk}",
        subject=gettext("突发预警 {name} {label}").format(name=area.name, label=label)[:200],
        body=body,
        target=alert,
        role=gettext("单位"),
        what=gettext("突发预警"),
    )
    audit_write(
        actor=SYSTEM,
        verb="governance.spike_raised",
        target=alert,
        node=area,
        after={"observed": finding.observed, "expected": finding.expected, "p": finding.p_value},
    )
    return alert


def spike_scan(now: datetime | None = None, rule: Rule | None = None) -> dict[str, Any]:
    """Raise new alerts, refresh the ongoing ones, end the quiet ones. Safe to run twice."""
    now = now or timezone.now()
    rule = rule or Rule.from_settings()
    raised = updated = 0
    for finding in evaluate(now, rule):
        if not finding.fires:
            continue
        with transaction.atomic():
            ongoing = (
                SpikeAlert.objects.select_for_update()
                .filter(node_path=finding.area_path, category_prefix=finding.prefix)
                .exclude(status=AlertStatus.ENDED)
                .first()
            )
            if ongoing is not None:
                ongoing.last_seen_at = max(ongoing.last_seen_at, now)
                ongoing.peak = max(ongoing.peak, finding.observed)
                ongoing.save(update_fields=["last_seen_at", "peak"])
                updated += 1
                continue
            if _raise(finding, now, rule) is not None:
                raised += 1
    ended = _end_quiet(now, rule)
    return {"raised": raised, "updated": updated, "ended": ended}


def _end_quiet(now: datetime, rule: Rule) -> int:
    cutoff = now - timedelta(minutes=rule.quiet_minutes)
    quiet = SpikeAlert.objects.filter(~Q(status=AlertStatus.ENDED), last_seen_at__lt=cutoff)
    return quiet.update(status=AlertStatus.ENDED, ended_at=now)
