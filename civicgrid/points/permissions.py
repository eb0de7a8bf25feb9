"""Who may do what with points. Scope comes from the actor's roles (accounts.selectors)."""

from typing import Any

from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can
from civicgrid.core.errors import PermissionDenied
from civicgrid.requests.permissions import SYSTEM


def is_system(actor: Any) -> bool:
    """The product itself: ``None`` or ``civicgrid.requests.permissions.SYSTEM``."""
    return actor is None or actor is SYSTEM


def can_manage(actor: Any, path: str) -> bool:
    return can(actor, Capability.POINTS_MANAGE, path)


def require_manage(actor: Any, path: str) -> None:
    if not can_manage(actor, path):
        raise PermissionDenied(_("您无权管理该社区的积分"))


def require_award(actor: Any, path: str) -> None:
    """Crediting points: the system (a service that authorised its own action), a points manager
    or a volunteer manager of the place."""
    if is_system(actor):
        return
    if can(actor, Capability.POINTS_MANAGE, path) or can(actor, Capability.VOLUNTEER_MANAGE, path):
        return
    raise PermissionDenied(_("您无权在该区域发放积分"))


def require_approve(actor: Any, path: str) -> None:
    if not can(actor, Capability.POINTS_APPROVE, path):
        raise PermissionDenied(_("您无权审批该区域的积分调整"))
