"""The registry's lists as background exports (下载中心, ``exchange.background.SOURCES``).

A list page's filters become a job's ``params`` (``*_params``) and are applied again, as the
actor, when the task worker writes the file (``*_source``): the same selectors as the pages
(``selectors.resident_search``, ``dwelling_search``, ``organisation_search``), cut to where
the actor may export, in the columns of the immediate export (``exchange.exports``).

A resident search by ID number or phone never becomes a job (it finds a handful of rows,
written at once), so no identifier is kept in a job's params; a name is kept as typed.
"""

from typing import Any

from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import scope_filter
from civicgrid.exchange.exports import ExportSource, dwelling_rows, organisation_rows, resident_rows
from civicgrid.registry import selectors
from civicgrid.territory.models import Node
from civicgrid.territory.selectors import node_get

RESIDENTS, DWELLINGS, ORGANISATIONS = "registry.residents", "registry.dwellings", "registry.organisations"


def _kept(**values: Any) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value not in (None, "")}


def _under(actor: Any, params: dict[str, Any]) -> Node | None:
    """The job's area, as the actor may see it now (gone from the actor's view: not found)."""
    return node_get(actor, int(params["under"])) if params.get("under") else None


def resident_params(
    *, under: Node | None, q: str, tag: str, residence_type: str, gender: str, status: str
) -> dict[str, Any]:
    return _kept(
        under=under.pk if under else None,
        q=q.strip(),
        tag=tag,
        residence_type=residence_type,
        gender=gender,
        status=status,
    )


def residents_source(actor: Any, params: dict[str, Any]) -> ExportSource:
    qs = selectors.resident_search(
        actor,
        q=params.get("q", ""),
        under=_under(actor, params),
        tag=params.get("tag", ""),
        residence_type=params.get("residence_type", ""),
        gender=params.get("gender", ""),
        status=params.get("status", ""),
    )
    return resident_rows(actor, scope_filter(qs, actor, Capability.EXPORT))


def dwelling_params(*, under: Node | None, use: str, q: str) -> dict[str, Any]:
    return _kept(under=under.pk if under else None, use=use, q=q.strip())


def dwellings_source(actor: Any, params: dict[str, Any]) -> ExportSource:
    qs = selectors.dwelling_search(
        actor, under=_under(actor, params), use=params.get("use", ""), q=params.get("q", "")
    )
    return dwelling_rows(scope_filter(qs, actor, Capability.EXPORT))


def organisation_params(*, under: Node | None, kind: str, q: str) -> dict[str, Any]:
    return _kept(under=under.pk if under else None, kind=kind, q=q.strip())


def organisations_source(actor: Any, params: dict[str, Any]) -> ExportSource:
    qs = selectors.organisation_search(
        actor, under=_under(actor, params), kind=params.get("kind", ""), q=params.get("q", "")
    )
    return organisation_rows(scope_filter(qs, actor, Capability.EXPORT))


def described(labelled: list[tuple[str, Any]]) -> str:
    """The filters as a reader says them (区域：…；类型：…), for the 下载中心's list."""
    return _("；").join(
        _("{label}：{value}").format(label=label, value=value) for label, value in labelled if value
    )
