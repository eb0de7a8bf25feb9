"""The three rates (三率), the monthly ranking and the weekly report of respond upon receipt.

Public entry points:

* ``rates_of(counts)`` — the rates of raw counts, as exact fractions (``figures``);
* ``cells(period, slice)`` / ``by_unit`` / ``by_paths`` — counts per unit or territory node,
  from the monthly rollup for ended months that have one, else from raw rows (``cells``);
* ``rollup_build(month)`` — rebuild one ended month's rollup (``civicgrid rates_rollup``);
* ``ranking(month, kind)`` and ``ranking_recompute_check(month)`` (``ranking``);
* ``weekly_report(actor, day)`` and ``weekly_report_xlsx(report)`` (``report``).

Formulas: ``docs/formulas.md``, section "Respond upon receipt".
"""

from civicgrid.requests.rates.cells import by_paths, by_unit, cells, raw_cells, rollup_build, rollup_cells
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
]
