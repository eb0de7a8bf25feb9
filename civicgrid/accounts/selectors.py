"""Where an actor may act: the path prefixes of the nodes their roles are bound to.

``scope_filter(qs, actor, capability)`` cuts any queryset of a scoped model to the rows
under those nodes; every list, page and API call goes through it.
"""

from functools import reduce
from operator import or_
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from civicgrid.accounts.models import RoleAssignment, User
from civicgrid.accounts.permissions import ADMIN_CAPABILITIES, ROLE_CAPABILITIES, Capability
from civicgrid.core.errors import PermissionDenied

M = TypeVar("M", bound=Model)

EVERYWHERE = ""  # the prefix of every path


def _assignments(actor: User) -> list[tuple[str, str]]:
    cache = actor.__dict__.get("_civicgrid_assignments")
    if cache is None:
        cache = list(
            RoleAssignment.objects.filter(user=actor, node__is_active=True).values_list("role", "node__path")
        )
        actor.__dict__["_civicgrid_assignments"] = cache
    return cache


def remember_assignments(actor: User, assignments: list[tuple[str, str]]) -> None:
    """Set the (role, node path) pairs of an actor read along with it (the API's token check)."""
    actor.__dict__["_civicgrid_assignments"] = assignments


def role_paths(actor: User, role: str) -> list[str]:
    """The paths of the active nodes where ``actor`` holds ``role`` (sorted)."""
    return sorted(path for held, path in _assignments(actor) if held == role)


def forget_scope(actor: User) -> None:
    actor.__dict__.pop("_civicgrid_assignments", None)


def _minimal(paths: set[str]) -> list[str]:
    """Drop every path that lies under another one in the set."""
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return sorted(kept)


def scope_paths(actor: Any, capability: Capability) -> list[str]:
    """Path prefixes under which ``actor`` holds ``capability`` ([""] = the whole tree)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return []
    if actor.admin_role:
        return [EVERYWHERE] if capability in ADMIN_CAPABILITIES.get(actor.admin_role, ()) else []
    paths = {path for role, path in _assignments(actor) if capability in ROLE_CAPABILITIES.get(role, ())}
    return _minimal(paths)


def has_capability(actor: Any, capability: Capability) -> bool:
    return bool(scope_paths(actor, capability))


def can(actor: Any, capability: Capability, path: str) -> bool:
    return any(path.startswith(prefix) for prefix in scope_paths(actor, capability))


def require(actor: Any, capability: Capability, path: str) -> None:
    if not can(actor, capability, path):
        raise PermissionDenied(_("您无权在该区域执行此操作"))


def require_any(actor: Any, capability: Capability) -> None:
    if not has_capability(actor, capability):
        raise PermissionDenied(_("您无权执行此操作"))


def scope_q(actor: Any, capability: Capability, field: str = "node_path") -> Q | None:
    """A Q object for the actor's scope; None means everywhere; Q(pk__in=[]) nothing."""
    paths = scope_paths(actor, capability)
    if EVERYWHERE in paths:
        return None
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in paths))


def scope_filter(
    qs: QuerySet[M], actor: Any, capability: Capability, field: str = "node_path"
) -> QuerySet[M]:
    q = scope_q(actor, capability, field)
    if q is None:
        return qs
    if not scope_paths(actor, capability):
        return qs.none()
    return qs.filter(q)


def holder_paths(capability: Capability) -> list[str]:
    """Where some active user's role grants ``capability`` (minimal node paths): e.g. the
    grids and communities a grid worker can verify in. Administrators' roles do not count."""
    roles = [role for role, capabilities in ROLE_CAPABILITIES.items() if capability in capabilities]
    paths = RoleAssignment.objects.filter(
        role__in=roles, user__is_active=True, node__is_active=True
    ).values_list("node__path", flat=True)
    return _minimal(set(paths))


def actor_roles(actor: User) -> list[tuple[str, str]]:
    """(role, node path) pairs of the actor, for menus and the home page."""
    return list(_assignments(actor))
