"""Helpers shared by the points pages: reading form input, the scope of what a user may see."""

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import EVERYWHERE, scope_paths
from civicgrid.core.errors import CivicError, PermissionDenied
from civicgrid.core.i18n import StrOrPromise
from civicgrid.core.views_forms import labelled
from civicgrid.points import selectors
from civicgrid.points.forms import FIELD_LABELS
from civicgrid.points.models import Redemption
from civicgrid.territory.models import Node, NodeKind

VIEW_CAPABILITIES = (Capability.POINTS_MANAGE, Capability.POINTS_APPROVE)


def view_paths(actor: Any) -> list[str]:
    """Where the actor sees points: where they manage or approve them."""
    return sorted({p for c in VIEW_CAPABILITIES for p in scope_paths(actor, c)})


def require_view(actor: Any) -> list[str]:
    paths = view_paths(actor)
    if not paths:
        raise PermissionDenied(_("您无权查看积分"))
    return paths


def view_q(actor: Any, field: str = "node_path") -> Q:
    paths = require_view(actor)
    if EVERYWHERE in paths:
        return Q()
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field}__startswith": p})
    return q


def communities_visible(actor: Any) -> list[Node]:
    """Communities the actor sees points of (for the pickers)."""
    q = Q(kind=NodeKind.COMMUNITY, is_active=True)
    paths = require_view(actor)
    if EVERYWHERE not in paths:
        under = Q(pk__in=[])
        for p in paths:
            under |= Q(path__startswith=p)
        # A community worker's own community is itself in scope; a leader's lies under theirs.
        q &= under
    return list(Node.objects.filter(q).order_by("path")[:500])


def refund_said(redemption: Redemption) -> str:
    """How the points of a cancelled redemption came back, in words that stay true: those
    whose lot had expired (or was about to) are valid again until a new date."""
    lot = selectors.refund_renewal(redemption)
    if lot is None:
        return _("积分已退回")
    if lot.expires_at is None:
        said = _("积分已退回（其中{points}分原批次已到期或即将到期，重新发放，长期有效）")
        return said.format(points=lot.amount)
    return _("积分已退回（其中{points}分原批次已到期或即将到期，重新发放，有效期至{day}）").format(
        points=lot.amount, day=timezone.localtime(lot.expires_at).strftime("%Y-%m-%d")
    )


def flash_error(
    request: HttpRequest, exc: CivicError, labels: Mapping[str, StrOrPromise] | None = None
) -> None:
    """A refusal as a message on the next page, each field named by its Chinese label."""
    messages.error(request, labelled(exc, {**FIELD_LABELS, **(labels or {})}))
