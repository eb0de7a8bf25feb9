"""Twelve months of realistic requests for the demo city (演示诉求历史).

``requests_history_build(seed=…, months=12, per_month=300)`` fills an existing territory
(grids, a catalogue, handling units with staff, dispatch rules, an operator) with
requests received over the last ``months`` whole months and this month so far, and
lives each one through to where it would be today:

* ``births`` — when, what, from where and through which channel (volume by month,
  type mix with about 40 % consultations, topics with seasons chosen by keyword from
  whatever catalogue is current, points inside grids or building doorplates, fake
  requesters with valid mobile numbers, some calling again, some anonymous);
* ``stories`` — what happens next: consultations answered at once, dispatch by the
  rules (or from triage), signing and replying within or after the limits, returns,
  extensions, suspensions, long-running plans, whistles with report-ins, the
  three-party council, supervision, on-site verification, ratings by link or callback,
  reopening after an unsatisfied rating, merged duplicates — and the every-minute
  deadline scan with its warnings and automatic supervision;
* ``mirror`` (with ``engine`` and ``detours``) — each step done exactly as the service
  of the same name does it, in memory; ``writer`` writes the rows in bulk;
* ``replay`` — the same steps through the real services with ``frozen_now``: the
  tests compare both row for row (``digest.history_snapshot``).

Why not simply call the services? They are the truth, but each step is a locked
transaction with history, audit and notification rows: about 200 ms per request on
SQLite, minutes for a year. The mirror writes the same rows in seconds, sends no
message (a replayed past must not text anybody) and writes one audit row for the whole
build instead of one per step.
"""

from civicgrid.requests.demo_history.births import Mix
from civicgrid.requests.demo_history.build import VERB, Simulation, requests_history_build, simulate
from civicgrid.requests.demo_history.digest import (
    history_digest,
    history_snapshot,
    requests_history_summary,
    summary_lines,
)
from civicgrid.requests.demo_history.replay import frozen_now, history_replay

__all__ = [
    "VERB",
    "Mix",
    "Simulation",
    "frozen_now",
    "history_digest",
    "history_replay",
    "history_snapshot",
    "requests_history_build",
    "requests_history_summary",
    "simulate",
    "summary_lines",
]
