"""Who sees whose grid work.

* A grid worker (``PATROL``) writes only in their own grids and sees their own patrols and
  findings there; the grid's shared work (care plans, visits, campaign items, proposals)
  they see for the whole grid (``GRIDWORK_VIEW`` scope).
* The grid leader sees the grid's workers: a user holding a current grid-leader post
  (网格长, 总网格长, 网格指导员) on a node oversees everyone's patrols and findings under it,
  provided their role also gives them ``GRIDWORK_VIEW`` there (a post alone opens nothing).
* Community workers and leaders oversee everything in their ``GRIDWORK_VIEW`` scope.
"""

from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q
from django.utils import timezone

from civicgrid.accounts.permissions import ROLE_CAPABILITIES, Capability
from civicgrid.accounts.selectors import actor_roles, scope_paths
from civicgrid.territory.models import Node, Position, Post

LEADER_POSTS = (Post.GRID_LEADER, Post.CHIEF_GRID_LEADER, Post.GRID_INSTRUCTOR)


def _minimal(paths: set[str]) -> list[str]:
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return sorted(kept)


def _under_any(path: str, prefixes: list[str]) -> bool:
    return any(path.startswith(p) for p in prefixes)


def leader_post_paths(actor: Any) -> list[str]:
    """Nodes where the actor holds a grid-leader post today."""
    if not getattr(actor, "is_authenticated", False):
        return []
    cache = actor.__dict__.get("_gridwork_leader_paths")
    if cache is None:
        today = timezone.localdate()
        cache = list(
            Position.objects.filter(user=actor, post__in=LEADER_POSTS, start_date__lte=today)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
            .values_list("node_path", flat=True)
        )
        actor.__dict__["_gridwork_leader_paths"] = cache
    return list(cache)


def oversight_paths(actor: Any) -> list[str]:
    """Where the actor sees every worker's patrols and findings (not only their own)."""
    view = scope_paths(actor, Capability.GRIDWORK_VIEW)
    if not view:
        return []
    if "" in view:
        return [""]
    paths: set[str] = set()
    for role, path in actor_roles(actor):
        caps = ROLE_CAPABILITIES.get(role, frozenset())
        if Capability.GRIDWORK_VIEW in caps and Capability.PATROL not in caps:
            paths.add(path)
    paths.update(p for p in leader_post_paths(actor) if _under_any(p, view))
    return _minimal(paths)


def paths_q(paths: list[str], field: str) -> Q:
    if "" in paths:
        return Q()
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in paths))


def view_q(actor: Any, field: str = "node_path") -> Q:
    return paths_q(scope_paths(actor, Capability.GRIDWORK_VIEW), field)


def personal_q(actor: Any, field: str = "node_path", worker_field: str = "worker") -> Q:
    """Patrols and findings: the actor's own ones in their scope, and everyone's where they oversee."""
    view = scope_paths(actor, Capability.GRIDWORK_VIEW)
    if not view:
        return Q(pk__in=[])
    own = Q(**{worker_field: actor}) & paths_q(view, field)
    oversee = oversight_paths(actor)
    return own | paths_q(oversee, field) if oversee else own


def oversees(actor: Any, path: str) -> bool:
    return _under_any(path, oversight_paths(actor))


def grid_leaders(grid: Node) -> list[Position]:
    """Who leads this grid today: its grid leaders, else the community's grid instructor."""
    today = timezone.localdate()
    current = Position.objects.filter(start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )
    leaders = list(current.filter(node=grid, post=Post.GRID_LEADER).select_related("user"))
    if leaders or grid.parent_id is None:
        return leaders
    return list(current.filter(node_id=grid.parent_id, post=Post.GRID_INSTRUCTOR).select_related("user"))
