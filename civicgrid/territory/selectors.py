"""Reads of the territory, cut to what the actor may see."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Left
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import scope_filter, scope_paths
from civicgrid.core.errors import NotFound
from civicgrid.territory.models import GridMatter, Node, NodeKind, Position, common_path


def nodes_visible(actor: Any) -> QuerySet[Node]:
    return scope_filter(Node.objects.all(), actor, Capability.TERRITORY_VIEW, field="path")


def node_get(actor: Any, pk: int) -> Node:
    node = nodes_visible(actor).select_related("parent", "responsible_unit").filter(pk=pk).first()
    if node is None:
        raise NotFound(_("区域不存在或您无权查看"))
    return node


def node_roots(actor: Any) -> QuerySet[Node]:
    """The highest nodes the actor can see (the start of their tree)."""
    paths = scope_paths(actor, Capability.TERRITORY_VIEW)
    if "" in paths:
        return Node.objects.filter(parent__isnull=True).order_by("sort_order", "code")
    return Node.objects.filter(path__in=paths).order_by("sort_order", "code")


def node_children(node: Node) -> QuerySet[Node]:
    return (
        Node.objects.filter(parent=node)
        .annotate(child_count=Count("children"))
        .order_by("sort_order", "code")
    )


def node_ancestors(node: Node) -> QuerySet[Node]:
    return Node.objects.filter(pk__in=node.ancestor_ids).order_by("depth")


def subtree(node: Node, *, kind: str | None = None) -> QuerySet[Node]:
    qs = Node.objects.filter(path__startswith=node.path)
    return qs.filter(kind=kind) if kind else qs


def node_kind_counts(node: Node) -> dict[str, int]:
    """The active nodes below ``node``, by kind (a stopped grid is not counted)."""
    rows = (
        Node.objects.filter(path__startswith=node.path, is_active=True)
        .exclude(pk=node.pk)
        .values("kind")
        .annotate(n=Count("id"))
    )
    return {row["kind"]: row["n"] for row in rows}


def nodes_count_under_each(nodes: Iterable[Node], kinds: Iterable[str]) -> dict[str, dict[str, int]]:
    """The active nodes of ``kinds`` whose path starts with each given node's path (the node
    itself included when it is active and of one of the kinds), by node path and then by
    kind, in one query whatever the number of nodes (a kind with none counts 0; a node under
    two of the nodes, one inside the other, counts for both).

    Same approach as ``registry.selectors.residents_count_under_each``: the nodes under the
    given nodes' common ancestor are counted per kind and per leading part of their path as
    long as the longest of the given paths, and each group goes to the given nodes its
    leading part starts with. 300 subdistricts: one grouped query instead of 300 counts."""
    kinds = list(kinds)
    paths = {node.path for node in nodes}
    counts = {path: dict.fromkeys(kinds, 0) for path in paths}
    if not counts or not kinds:
        return counts
    lengths = sorted({len(path) for path in paths})
    rows = (
        Node.objects.filter(path__startswith=common_path(list(paths)), is_active=True, kind__in=kinds)
        .annotate(lead=Left("path", lengths[-1]))
        .values("lead", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        # A set: a path shorter than some of the lengths comes out whole for each.
        for prefix in {row["lead"][:length] for length in lengths}:
            if prefix in counts:
                counts[prefix][row["kind"]] += row["n"]
    return counts


def current_positions(*, on: date | None = None) -> QuerySet[Position]:
    on = on or timezone.localdate()
    return Position.objects.filter(start_date__lte=on).filter(Q(end_date__isnull=True) | Q(end_date__gte=on))


def node_team(node: Node, *, on: date | None = None) -> QuerySet[Position]:
    """Who holds a post on this node today: one query."""
    return current_positions(on=on).filter(node=node).select_related("user").order_by("post", "holder_name")


def positions_visible(actor: Any) -> QuerySet[Position]:
    return scope_filter(Position.objects.select_related("node"), actor, Capability.TERRITORY_VIEW)


def grid_matters_for(grid: Node) -> QuerySet[GridMatter]:
    """Matters that enter this grid: those applied to it or to any of its ancestors."""
    return GridMatter.objects.filter(is_active=True, applies_to__in=[*grid.ancestor_ids, grid.pk]).distinct()


def grid_matters_visible(actor: Any) -> QuerySet[GridMatter]:
    paths = scope_paths(actor, Capability.TERRITORY_VIEW)
    if "" in paths:
        return GridMatter.objects.all()
    if not paths:
        return GridMatter.objects.none()
    # A matter is visible when it applies to a node above, at or below the actor's nodes.
    q = Q()
    for path in paths:
        ids = [int(p) for p in path.strip("/").split("/")]
        q |= Q(applies_to__in=ids) | Q(applies_to__path__startswith=path)
    return GridMatter.objects.filter(q).distinct()


def level_of(node: Node, kind: str) -> Node | None:
    """The ancestor (or self) of the given kind."""
    if node.kind == kind:
        return node
    return Node.objects.filter(pk__in=node.ancestor_ids, kind=kind).first()


GRID_KINDS = (NodeKind.GRID,)
