"""The router of the volunteers API and small helpers shared by its modules."""

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from ninja import Router

from civicgrid.core.errors import NotFound
from civicgrid.territory.models import Node
from civicgrid.territory.selectors import node_get

# One router for every module of the package.
router = Router(tags=["志愿服务 点单派单接单晒单"])

M = TypeVar("M", bound=Model)
MAX_LIMIT = 200


def page(qs: QuerySet[M], limit: int, offset: int) -> dict[str, Any]:
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    return {"count": qs.count(), "results": list(qs[offset : offset + limit])}


def node_or_none(actor: Any, pk: int | None) -> Node | None:
    """A node the actor sees (staff), or any active node for residents' own requests."""
    if pk is None:
        return None
    try:
        return node_get(actor, pk)
    except NotFound:
        found = Node.objects.filter(pk=pk, is_active=True).first()
        if found is None:
            raise
        return found
