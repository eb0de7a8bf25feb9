"""Building the demo history: read the world, live the stories in memory, write in bulk."""

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from civicgrid.core.audit import audit_write
from civicgrid.core.errors import ValidationError
from civicgrid.requests.demo_history.births import Mix, births_plan
from civicgrid.requests.demo_history.engine import Life
from civicgrid.requests.demo_history.stories import Entry, Stories
from civicgrid.requests.demo_history.world import World, world_load
from civicgrid.requests.demo_history.writer import counters_write, history_write
from civicgrid.requests.models import Request
from civicgrid.requests.rates.figures import add_months

VERB = "requests.demo_history_built"
MAX_MONTHS = 36
MAX_PER_MONTH = 200_000


@dataclass
class Simulation:
    world: World
    lives: list[Life]
    log: list[Entry]


def simulate(*, seed: int, months: int, per_month: int, now: datetime, mix: Mix | None = None) -> Simulation:
    """The whole history in memory (nothing written): every request's rows and the step log."""
    now = now.astimezone(UTC)
    start = add_months(timezone.localdate(now).replace(day=1), -months)
    world = world_load(now, start)
    rng = random.Random(f"civicgrid-demo-history:{seed}")
    mix = mix or Mix()
    births = births_plan(world, rng, months=months, per_month=per_month, now=now, mix=mix)
    stories = Stories(world, births, seed=seed, mix=mix)
    log = stories.run()
    return Simulation(world, [life for life in stories.lives if life.req is not None], log)


def _check(months: int, per_month: int) -> None:
    errors: dict[str, list[str]] = {}
    if not 1 <= months <= MAX_MONTHS:
        errors["months"] = [f"月数应在1到{MAX_MONTHS}之间"]
    if not 1 <= per_month <= MAX_PER_MONTH:
        errors["per_month"] = [f"每月诉求数应在1到{MAX_PER_MONTH}之间"]
    if Request.objects.exists():
        errors["requests"] = ["库中已有诉求记录；演示历史只能在没有诉求的库中生成"]
    if errors:
        raise ValidationError(errors=errors)


def _rollups_refresh() -> list[str]:
    """Months whose rollup was already built are rebuilt, so the rates stay exact."""
    from civicgrid.requests.rates import rollup_build
    from civicgrid.requests.rollups import RateRollupMonth

    months = RateRollupMonth.objects.order_by("month").values_list("month", flat=True)
    return [f"{rollup_build(month).month:%Y-%m}" for month in list(months)]


def requests_history_build(
    *, seed: int, months: int = 12, per_month: int = 300, now: datetime | None = None, mix: Mix | None = None
) -> dict[str, Any]:
    """Fill the territory with ``months`` months of requests (and this month so far).

    The territory needs grids with polygons, a current catalogue, handling units with
    staff, dispatch rules and an operator (``requests_demo`` sets these up). Refused when
    any request exists. Same seed and same ``now``: the same history (``history_digest``).
    """
    _check(months, per_month)
    started = time.perf_counter()
    with transaction.atomic():
        sim = simulate(seed=seed, months=months, per_month=per_month, now=now or timezone.now(), mix=mix)
        simulated = time.perf_counter()
        counts = history_write(sim.lives)
        counters_write(sim.world.counters)
        rebuilt = _rollups_refresh()
        audit_write(
            actor=None,
            verb=VERB,
            target_type="requests.request",
            target_label="演示诉求历史",
            after={"seed": seed, "months": months, "per_month": per_month, **counts},
        )
    return counts | {
        "steps": len(sim.log),
        "rollups_rebuilt": rebuilt,
        "seconds_simulated": round(simulated - started, 2),
        "seconds": round(time.perf_counter() - started, 2),
    }
