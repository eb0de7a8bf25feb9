"""Who may do what with party rows.

Scope is the territory, as everywhere: PARTY_VIEW / PARTY_EDIT on a row's ``node_path``.
A member hangs on two places: their organisation (``node``) and where they live
(``home_node``); staff of either place see the member, and staff where the member lives
may take their report and record visits. A member acts for themselves through their
resident account (H5).
"""

from typing import Any

from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can
from civicgrid.core.errors import PermissionDenied
from civicgrid.party.models import PartyMember
from civicgrid.registry.selectors import resident_for_user


def member_paths(member: PartyMember) -> list[str]:
    paths = [member.node_path]
    if member.home_node_id is not None and member.home_node is not None:
        paths.append(member.home_node.path)
    return paths


def can_any(actor: Any, capability: Capability, paths: list[str]) -> bool:
    return any(can(actor, capability, path) for path in paths)


def can_see_member(actor: Any, member: PartyMember) -> bool:
    return can_any(actor, Capability.PARTY_VIEW, member_paths(member)) or is_member_self(actor, member)


def require_member_edit(actor: Any, member: PartyMember) -> None:
    if not can(actor, Capability.PARTY_EDIT, member.node_path):
        raise PermissionDenied(_("您无权修改该党员的信息"))


def require_member_visible(actor: Any, member: PartyMember) -> None:
    if not can_see_member(actor, member):
        raise PermissionDenied(_("该党员不在您的管辖范围内"))


def is_member_self(actor: Any, member: PartyMember) -> bool:
    """The actor is the member, signed in with their own resident account."""
    if member.resident_id is None or not getattr(actor, "is_authenticated", False):
        return False
    resident = resident_for_user(actor)
    return resident is not None and resident.pk == member.resident_id


def member_for_user(actor: Any) -> PartyMember | None:
    """The member a signed-in resident account is (None for staff and non-members)."""
    resident = resident_for_user(actor)
    if resident is None:
        return None
    return (
        PartyMember.objects.select_related("home_node", "organisation")
        .filter(resident=resident, is_active=True)
        .first()
    )


def can_visit(actor: Any, member: PartyMember) -> bool:
    """Community workers and grid workers (patrol) where the member belongs or lives."""
    paths = member_paths(member)
    return can_any(actor, Capability.PARTY_EDIT, paths) or can_any(actor, Capability.PATROL, paths)
