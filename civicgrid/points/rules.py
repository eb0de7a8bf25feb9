"""Points rules and the expiry policy: which rule applies where, and the formula.

points = round_half_up((base_points + points_per_hour × hours) × (1 + (difficulty − 1) × difficulty_step)),
then capped at ``max_points`` when that is above 0. Difficulty runs from 1 (easy) to 5 (hard).

The rule is the active one for the activity type on the nearest node at or above where the
service took place; failing that, the nearest default rule (activity type ""); failing that,
``BUILT_IN`` (10 points per hour, +25% per difficulty step). A caller may name a kind of rule
tried first (``prefer``): a service order is paid by the 点单服务 (``service_order``) rule of
the place, then by the rule of its service type, then by the default.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy

from civicgrid.core.env import envint
from civicgrid.core.i18n import StrOrPromise
from civicgrid.points.models import PointsPolicy, PointsRule
from civicgrid.territory.models import Node

DIFFICULTY_MIN = 1
DIFFICULTY_MAX = 5
MAX_HOURS = Decimal("24")


@dataclass(frozen=True)
class RuleTerms:
    rule_id: int | None
    name: StrOrPromise
    base_points: int
    points_per_hour: Decimal
    difficulty_step: Decimal
    max_points: int

    def points_for(self, hours: Decimal, difficulty: int) -> int:
        factor = Decimal(1) + Decimal(difficulty - DIFFICULTY_MIN) * self.difficulty_step
        raw = (Decimal(self.base_points) + self.points_per_hour * hours) * factor
        points = int(raw.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        if self.max_points:
            points = min(points, self.max_points)
        return max(points, 0)

    def explain(self, hours: Decimal, difficulty: int) -> dict[str, Any]:
        return {
            "rule": self.rule_id,
            "rule_name": str(self.name),
            "base_points": self.base_points,
            "points_per_hour": str(self.points_per_hour),
            "hours": str(hours),
            "difficulty": difficulty,
            "difficulty_step": str(self.difficulty_step),
            "max_points": self.max_points,
        }


BUILT_IN = RuleTerms(
    rule_id=None,
    name=gettext_lazy("默认规则"),
    base_points=0,
    points_per_hour=Decimal(10),
    difficulty_step=Decimal("0.25"),
    max_points=0,
)


def terms_of(rule: PointsRule) -> RuleTerms:
    return RuleTerms(
        rule_id=rule.pk,
        name=rule.name,
        base_points=rule.base_points,
        points_per_hour=Decimal(rule.points_per_hour),
        difficulty_step=Decimal(rule.difficulty_step),
        max_points=rule.max_points,
    )


def rule_for(node: Node, activity_type: str, *, prefer: str = "") -> RuleTerms:
    """The applicable terms at ``node``: the deepest active rule on its path of the kind
    ``prefer`` (when given), else of ``activity_type``, else the deepest default rule."""
    wanted = [kind for kind in (prefer, activity_type) if kind]
    rank = {kind: len(wanted) - i for i, kind in enumerate(wanted)}  # earlier kinds rank higher
    candidates = PointsRule.objects.filter(
        node_id__in=node.path_ids, is_active=True, activity_type__in=[*wanted, ""]
    )
    best: PointsRule | None = None
    best_key: tuple[int, int] = (-1, -1)
    for rule in candidates:
        key = (rank.get(rule.activity_type, 0), len(rule.node_path))
        if key > best_key:
            best, best_key = rule, key
    return terms_of(best) if best else BUILT_IN


def default_expiry_days() -> int:
    """``CIVICGRID_POINTS_EXPIRY_DAYS`` (default 730; 0 = points never expire)."""
    return envint("CIVICGRID_POINTS_EXPIRY_DAYS", 730)


def policy_for(node: Node) -> tuple[int, int]:
    """(expiry days, pickup days) of the nearest policy on the node's path."""
    policies = list(PointsPolicy.objects.filter(node_id__in=node.path_ids))
    if not policies:
        return default_expiry_days(), 7
    nearest = max(policies, key=lambda p: len(p.node_path))
    return nearest.expiry_days, nearest.pickup_days


def expiry_for(node: Node, earned_at: datetime) -> datetime | None:
    days, _ = policy_for(node)
    return earned_at + timedelta(days=days) if days else None
