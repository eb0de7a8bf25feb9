"""The three rates (三率), the monthly ranking and the weekly report of respond upon receipt.

Public entry points:

* ``rates_of(counts)`` — the rates of raw counts, as exact fractions (``figures``);
* ``cells(period, slice)`` / ``by_unit`` / ``by_paths`` — counts per unit or territory node,
  from the monthly rollup plus its pending deltas for any built month (the current one
  included), else from raw rows (``cells``);
* ``rollup_build(month)`` — (re)build one month's rollup from raw rows;
  ``rollup_refresh(months=...)`` — the same for several months, for bulk writers that
  bypass the journal (historical imports); ``rollup_compact()`` / ``rollup_tick()`` — the
  periodic folding of deltas (``civicgrid rates_rollup --tick``);
* ``journal`` — the model signals that write a delta with every change to a counted row;
* ``ranking(month, kind)`` and ``ranking_recompute_check(month)`` (``ranking``);
* ``weekly_report(actor, day)`` and ``weekly_report_xlsx(report)`` (``report``).

Formulas and how the rollups stay exact: ``docs/formulas.md``, "Respond upon receipt".
"""

from civicgrid.requests.rates.cells import (
    by_paths,
    by_unit,
    cells,
    raw_cells,
    rollup_build,
    rollup_cells,
    rollup_compact,
    rollup_refresh,
    rollup_tick,
)
from civicgrid.requests.rates.figures import Counts, Period, Rates, Weights, rates_of
from civicgrid.requests.rates.ranking import RankClass, Ranking, ranking, ranking_recompute_check, rankings

__all__ = [
    "Counts",
    "Period",
    "RankClass",
    "Ranking",
    "Rates",
    "Weights",
    "by_paths",
    "by_unit",
    "cells",
    "ranking",
    "ranking_recompute_check",
    "rankings",
    "rates_of",
    "raw_cells",
    "rollup_build",
    "rollup_cells",
    "rollup_compact",
    "rollup_refresh",
    "rollup_tick",
]
