"""Reads of the exchange module, cut to what the actor may see."""

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import has_capability, scope_q
from civicgrid.core.errors import NotFound
from civicgrid.exchange.models import ImportJob
from civicgrid.territory.models import Node, NodeKind


def import_jobs_visible(actor: Any) -> QuerySet[ImportJob]:
    """The actor's own jobs and those of colleagues whose scope lies within the actor's."""
    if not has_capability(actor, Capability.IMPORT):
        return ImportJob.objects.none()
    q = scope_q(actor, Capability.IMPORT)
    qs = ImportJob.objects.select_related("actor")
    return qs if q is None else qs.filter(q | Q(actor=actor))


def import_job_get(actor: Any, pk: int) -> ImportJob:
    job = import_jobs_visible(actor).filter(pk=pk).first()
    if job is None:
        raise NotFound(_("导入任务不存在或您无权查看"))
    return job


def example_node(actor: Any, capability: Capability, kinds: list[str]) -> Node | None:
    """A node of the first of ``kinds`` present where the actor may import (for template examples)."""
    qs = Node.objects.filter(is_active=True)
    for needed in (Capability.IMPORT, capability):
        q = scope_q(actor, needed, field="path")
        if q is not None:
            qs = qs.filter(q)
    for kind in kinds:
        node = qs.filter(kind=kind).order_by("path").first()
        if node is not None:
            return node
    return None


EXAMPLE_KINDS = {
    "community": [NodeKind.COMMUNITY, NodeKind.SUBDISTRICT],
    "grid": [NodeKind.GRID, NodeKind.COMMUNITY],
    "building": [NodeKind.BUILDING, NodeKind.ENTRANCE],
}
