"""Who may do what in red property. Everything is scoped by the compound's path.

* ``PROPERTY_VIEW`` (community, subdistrict and district staff, grid workers, leaders)
  sees the compounds under their nodes, the companies serving them, their inspections,
  credit and owners' committees.
* ``PROPERTY_MANAGE`` (community workers, handlers, leaders) records contracts, inspections
  and committee members of the compounds under their nodes.
* Awards and manual deductions of credit are made by a district or a subdistrict: the
  actor holds ``PROPERTY_MANAGE`` on that district or subdistrict node itself (a community
  worker does not).
"""

from typing import Any

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can
from civicgrid.territory.models import Node, NodeKind

VIEW = Capability.PROPERTY_VIEW
MANAGE = Capability.PROPERTY_MANAGE

# Levels that award or deduct credit points by hand.
ADJUSTING_KINDS = (NodeKind.CITY, NodeKind.DISTRICT, NodeKind.SUBDISTRICT)


def may_view(actor: Any, path: str) -> bool:
    return can(actor, VIEW, path)


def may_manage(actor: Any, path: str) -> bool:
    return can(actor, MANAGE, path)


def may_adjust(actor: Any, node: Node) -> bool:
    """May award or deduct credit points as this district or subdistrict."""
    return node.kind in ADJUSTING_KINDS and can(actor, MANAGE, node.path)
