"""The router of the volunteers API and small helpers shared by its modules."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from ninja import Router

from civicgrid.core.errors import NotFound, ValidationError
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


@contextmanager
def request_fields(names: Mapping[str, str]) -> Iterator[None]:
    """A service's refusal keyed by the request's own field names: the services name the
    records they were given (``orderer_resident``, ``node``), the API's body their ids
    (``orderer_resident_id``, ``node_id``); ``names`` maps the one to the other."""
    try:
        yield
    except ValidationError as exc:
        if not any(name in exc.errors for name in names):
            raise
        renamed: dict[str, list[str]] = {}
        for name, reasons in exc.errors.items():
            renamed.setdefault(names.get(name, name), []).extend(reasons)
        raise ValidationError(exc.message, errors=renamed, code=exc.code) from exc
