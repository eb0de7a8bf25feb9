"""Grid work endpoints under /api/v1/gridwork/ (网格工作).

Every endpoint calls the same selectors and services as the pages. Modules: ``entries``
(what a grid worker's phone sends; offline entries are replayed here, idempotent by
``client_key``), ``office`` (care plans, campaigns, approvals by the community), ``reads``
(today's tasks, lists, the patrol log, coverage, progress). They all add to ``common.router``.
"""

from civicgrid.gridwork.api import entries, office, reads
from civicgrid.gridwork.api.common import router

__all__ = ["entries", "office", "reads", "router"]
