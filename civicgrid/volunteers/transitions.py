"""The explicit table of a service order's allowed steps and who may take them.

``ORDER_TRANSITIONS[action] = Step(sources, target, actors)``: the action is allowed only
from a status in ``sources`` and moves the order to ``target`` (``None``: the status stays,
or the service computes it: a released order goes back to the pool it came from).

Actor kinds (``services.orders.actor_kinds``): ``staff`` — community worker of the place
(``VOLUNTEER_MANAGE`` or ``PARTY_EDIT``); ``orderer`` — the resident who ordered or is
served; ``taker`` — the volunteer / party member who holds the order (or the user who
took it for a unit); ``candidate`` — anyone signed in who takes for themselves (checked
further by the taker's kind); ``system`` — another app's service that authorised the
action itself.
"""

from dataclasses import dataclass

from civicgrid.volunteers.constants import OrderAction, OrderStatus

STAFF = "staff"
ORDERER = "orderer"
TAKER = "taker"
CANDIDATE = "candidate"
SYSTEM = "system"

S = OrderStatus


@dataclass(frozen=True)
class Step:
    sources: frozenset[str]
    target: str | None
    actors: frozenset[str]


def step(sources: set[str], target: str | None, *actors: str) -> Step:
    return Step(frozenset(sources), target, frozenset(actors))


ORDER_TRANSITIONS: dict[str, Step] = {
    OrderAction.PUBLISH: step({S.ORDERED}, S.PUBLISHED, STAFF, SYSTEM),
    OrderAction.DISPATCH: step({S.ORDERED, S.PUBLISHED}, S.ASSIGNED, STAFF, SYSTEM),
    OrderAction.TAKE: step({S.PUBLISHED}, S.ASSIGNED, CANDIDATE, STAFF, SYSTEM),
    OrderAction.RELEASE: step({S.ASSIGNED}, None, TAKER, STAFF, SYSTEM),
    OrderAction.COMPLETE: step({S.ASSIGNED}, S.COMPLETED, TAKER, STAFF, SYSTEM),
    OrderAction.CONFIRM: step({S.COMPLETED}, S.CONFIRMED, ORDERER, STAFF, SYSTEM),
    OrderAction.REOPEN: step({S.COMPLETED}, S.ASSIGNED, ORDERER, STAFF, SYSTEM),
    OrderAction.CANCEL: step({S.ORDERED, S.PUBLISHED, S.ASSIGNED}, S.CANCELLED, STAFF, ORDERER, SYSTEM),
    OrderAction.BOARD: step({S.COMPLETED, S.CONFIRMED}, None, STAFF, SYSTEM),
}
# The orderer may withdraw an order only while nobody holds it.
ORDERER_MAY_CANCEL = frozenset({S.ORDERED, S.PUBLISHED})
