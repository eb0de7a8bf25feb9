"""JSON endpoints of party building under /api/v1/party/.

Every endpoint calls the same selectors and services as the pages: reads are cut to the
caller's scope, writes go through ``civicgrid.party.services``; errors come back as
``{code, message, detail}`` with Chinese messages. Modules: ``organisations`` (the tree,
members, 1+10+N, visits), ``reporting`` (reports, rates, agreements, the member's own
endpoints), ``lists`` (committees, alliances, needs, resources, projects, figures).
"""

from civicgrid.party.api import lists, organisations, reporting
from civicgrid.party.api.common import router

__all__ = ["lists", "organisations", "reporting", "router"]
