"""Request endpoints under /api/v1/requests/ (接诉即办).

Every endpoint calls the same selectors and services as the pages: reads are cut to the
caller's scope, writes go through ``civicgrid.requests.services``. Modules:
``public`` (track and rate without an account), ``intake`` (create, attachments),
``reads`` (lists, detail, queues, catalogue, units), ``actions`` (one endpoint per
service). They all add their operations to ``common.router``; ``rates`` (the three
rates, the ranking and the weekly report) has a router of its own, under /api/v1/rates/.
"""

from civicgrid.requests.api import actions, intake, public, reads
from civicgrid.requests.api.common import router

__all__ = ["actions", "intake", "public", "reads", "router"]
