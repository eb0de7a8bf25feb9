"""Who an actor is for volunteer work: staff of a place, the resident behind an account.

Staff are community workers (``VOLUNTEER_MANAGE``; for service orders also ``PARTY_EDIT``,
since the Party app runs party members' and partner units' orders through the same
mechanism). Residents sign in with a ``registry.ResidentAccount`` and hold no role: they
act only as themselves (their resident, their volunteer record).
"""

from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, scope_q
from civicgrid.requests.permissions import SYSTEM

# Capabilities that make someone staff of service orders at a place.
ORDER_STAFF_CAPABILITIES = (Capability.VOLUNTEER_MANAGE, Capability.PARTY_EDIT)


def is_system(actor: Any) -> bool:
    """The product itself, or another app's service that authorised the action first
    (``civicgrid.requests.permissions.SYSTEM``)."""
    return actor is SYSTEM


def is_staff(actor: Any, path: str) -> bool:
    """May manage volunteers, teams and activities at ``path``."""
    return can(actor, Capability.VOLUNTEER_MANAGE, path)


def is_order_staff(actor: Any, path: str) -> bool:
    """May dispatch, publish, verify and cancel service orders at ``path``."""
    return any(can(actor, capability, path) for capability in ORDER_STAFF_CAPABILITIES)


def order_staff_q(actor: Any) -> Q | None:
    """A Q object of the places where the actor is order staff (None: everywhere)."""
    parts = [scope_q(actor, capability) for capability in ORDER_STAFF_CAPABILITIES]
    if any(p is None for p in parts):
        return None
    return reduce(or_, [p for p in parts if p is not None], Q(pk__in=[]))


def acting_resident(actor: Any) -> Any:
    """The registry resident a signed-in resident account acts as (cached on the user by
    ``registry.selectors.resident_for_user``)."""
    from civicgrid.registry.selectors import resident_for_user

    return resident_for_user(actor)


def acting_volunteer(actor: Any) -> Any:
    """The volunteer record of the resident behind the account (any status), or None."""
    resident = acting_resident(actor)
    if resident is None:
        return None
    from civicgrid.volunteers.models import Volunteer

    return Volunteer.objects.select_related("resident", "community").filter(resident=resident).first()


def is_self(actor: Any, resident: Any) -> bool:
    """The actor is the resident's own account."""
    mine = acting_resident(actor)
    return mine is not None and resident is not None and mine.pk == resident.pk
