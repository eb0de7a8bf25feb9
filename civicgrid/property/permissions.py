"""Who may do what in red property. Everything is scoped by the compound's path.

* ``PROPERTY_VIEW`` (community, subdistrict and district staff, grid workers, leaders)
  sees the compounds under their nodes, the companies serving them, their inspections,
  credit and owners' committees.
* Managing (contracts, inspections, owners' committees and their members, a company's
  party work) is for the holders of ``PROPERTY_MANAGE`` (community workers and leaders)
  under their nodes, and for the subdistrict office's staff (街道承办人): a handler whose
  role sits on a subdistrict node manages the compounds of that subdistrict, as the
  subdistrict supervises property service and guides owners' committees in its area. A
  handler of a department or a public-service enterprise sits on the district node and
  manages nothing here (``accounts.permissions`` gives handlers no ``PROPERTY_MANAGE``).
* Awards and manual deductions of credit are made in the name of a district or a
  subdistrict (or the city): the actor manages that node itself (``may_adjust``), so a
  community worker cannot; a subdistrict's handler can in the subdistrict's name.
"""

from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role
from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, role_paths, scope_paths
from civicgrid.core.errors import PermissionDenied
from civicgrid.territory.models import Node, NodeKind

VIEW = Capability.PROPERTY_VIEW
MANAGE = Capability.PROPERTY_MANAGE

# Levels that award or deduct credit points by hand.
ADJUSTING_KINDS = (NodeKind.CITY, NodeKind.DISTRICT, NodeKind.SUBDISTRICT)

# The role and level of the subdistrict office's staff, who manage without PROPERTY_MANAGE.
SUBDISTRICT_STAFF = (Role.HANDLER, NodeKind.SUBDISTRICT)
_CACHE = "_civicgrid_property_subdistricts"

M = TypeVar("M", bound=Model)


def may_view(actor: Any, path: str) -> bool:
    return can(actor, VIEW, path)


def _subdistrict_paths(actor: Any) -> list[str]:
    """The subdistricts where the actor is the office's staff (a handler's role sits there)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return []
    if actor.admin_role:
        return []
    role, kind = SUBDISTRICT_STAFF
    handler_paths = tuple(role_paths(actor, role))
    if not handler_paths:
        return []
    cached = actor.__dict__.get(_CACHE)
    if cached is None or cached[0] != handler_paths:
        found = Node.objects.filter(path__in=handler_paths, kind=kind, is_active=True)
        cached = (handler_paths, sorted(found.values_list("path", flat=True)))
        actor.__dict__[_CACHE] = cached
    return list(cached[1])


def manage_paths(actor: Any) -> list[str]:
    """Path prefixes under which the actor manages red property."""
    return sorted(set(scope_paths(actor, MANAGE)) | set(_subdistrict_paths(actor)))


def may_manage(actor: Any, path: str) -> bool:
    return any(path.startswith(prefix) for prefix in manage_paths(actor))


def require_manage(actor: Any, path: str) -> None:
    if not may_manage(actor, path):
        raise PermissionDenied(_("您无权在该区域执行此操作"))


def manage_filter(qs: QuerySet[M], actor: Any, field: str = "node_path") -> QuerySet[M]:
    """``qs`` cut to the rows whose ``field`` lies where the actor manages."""
    paths = manage_paths(actor)
    if not paths:
        return qs.none()
    if "" in paths:
        return qs
    q = Q()
    for prefix in paths:
        q |= Q(**{f"{field}__startswith": prefix})
    return qs.filter(q)


def may_adjust(actor: Any, node: Node) -> bool:
    """May award or deduct credit points as this district or subdistrict."""
    return node.kind in ADJUSTING_KINDS and may_manage(actor, node.path)
