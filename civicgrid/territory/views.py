"""Territory pages: the tree with a map, node pages, the grid matters list."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, has_capability, require_any
from civicgrid.core.pagination import paginate, query_without_page
from civicgrid.exchange.models import ImportKind
from civicgrid.exchange.services import EDIT_CAPABILITY
from civicgrid.registry.models import Dwelling, Organisation, Resident
from civicgrid.territory import selectors
from civicgrid.territory.models import Node, NodeKind

CHILDREN_PER_PAGE = 500  # a community may have thousands of buildings or households

MAP_KINDS = (NodeKind.GRID, NodeKind.COMMUNITY, NodeKind.SUBDISTRICT, NodeKind.DISTRICT, NodeKind.CITY)


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    require_any(request.user, Capability.TERRITORY_VIEW)
    roots = list(selectors.node_roots(request.user))
    # No node at all (a fresh installation) is not a question of the account's scope: say
    # nothing has been imported yet, with the way to import for whoever may.
    empty = not roots and not Node.objects.exists()
    may_import = empty and all(
        has_capability(request.user, capability)
        for capability in (Capability.IMPORT, EDIT_CAPABILITY[ImportKind.NODES])
    )
    context = {"roots": roots, "empty": empty, "may_import": may_import}
    return render(request, "territory/tree.html", context)


@login_required
def node_children_partial(request: HttpRequest, pk: int) -> HttpResponse:
    node = selectors.node_get(request.user, pk)
    return render(request, "territory/_children.html", {"children": selectors.node_children(node)})


@login_required
def node_detail(request: HttpRequest, pk: int) -> HttpResponse:
    node = selectors.node_get(request.user, pk)
    under = node.path
    counts = {
        "residents": Resident.objects.filter(node_path__startswith=under, is_active=True).count(),
        "dwellings": Dwelling.objects.filter(node_path__startswith=under).count(),
        "organisations": Organisation.objects.filter(node_path__startswith=under).count(),
    }
    kind_counts = selectors.node_kind_counts(node)
    children = selectors.node_children(node)
    search = request.GET.get("q", "").strip()
    if search:
        children = children.filter(Q(name__icontains=search) | Q(code__icontains=search))
    page = paginate(request, children, CHILDREN_PER_PAGE)
    context: dict[str, Any] = {
        "node": node,
        "ancestors": [
            a for a in selectors.node_ancestors(node) if can(request.user, Capability.TERRITORY_VIEW, a.path)
        ],
        "children": page.object_list,
        "page": page,
        "query": query_without_page(request),
        "search": search,
        "children_per_page": CHILDREN_PER_PAGE,
        "team": selectors.node_team(node),
        "counts": counts,
        "kind_counts": [
            (NodeKind(k).label, v)
            for k, v in sorted(kind_counts.items(), key=lambda kv: list(NodeKind.values).index(kv[0]))
        ],
        "matters": selectors.grid_matters_for(node) if node.kind == NodeKind.GRID else None,
        "can_edit": can(request.user, Capability.TERRITORY_EDIT, node.path),
    }
    return render(request, "territory/node.html", context)


def _feature(node: Node) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": node.geometry,
        "properties": {
            "id": node.pk,
            "code": node.code,
            "name": node.name,
            "kind": node.kind,
            "kind_label": node.get_kind_display(),
            "url": f"/territory/{node.pk}/",
        },
    }


@login_required
def node_geojson(request: HttpRequest, pk: int) -> JsonResponse:
    """The grid polygons under a node (or the node's own polygon) as a FeatureCollection."""
    node = selectors.node_get(request.user, pk)
    grids = selectors.subtree(node, kind=NodeKind.GRID).filter(geometry__isnull=False, is_active=True)
    features = [_feature(g) for g in grids.only("id", "code", "name", "kind", "geometry")[:20000]]
    if not features and node.geometry:
        features = [_feature(node)]
    points = (
        [
            {"id": b.pk, "name": b.name, "lon": b.lon, "lat": b.lat}
            for b in selectors.subtree(node, kind=NodeKind.BUILDING).filter(lon__isnull=False)[:2000]
        ]
        if node.kind in (NodeKind.GRID, NodeKind.COMPOUND, NodeKind.COMMUNITY)
        else []
    )
    return JsonResponse({"type": "FeatureCollection", "features": features, "buildings": points})


@login_required
def grid_matter_list(request: HttpRequest) -> HttpResponse:
    require_any(request.user, Capability.TERRITORY_VIEW)
    matters = selectors.grid_matters_visible(request.user).prefetch_related("applies_to").order_by("code")
    return render(request, "territory/matters.html", {"matters": matters})
